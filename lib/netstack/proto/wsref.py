# The per-byte loops of WebSocket in plain Python: XOR masking (RFC 6455 §5.3) and UTF-8
# validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), in place, no
# allocation beyond the big-int mask. The same functions as the native netstack.proto.wsmask
# (ports/native: viper, built per architecture), which netstack.proto.ws prefers: this module
# is what runs where that one is not built (CPython; a library copied as .py source without
# ports/native) and the reference the tests hold the native one to.


def mask(buf, a, b, key, k=0):
    """XOR buf[a:b] with the 4-byte key, key[k & 3] applying to buf[a]. One big-int XOR:
    C speed on CPython, and far quicker than a byte loop on MicroPython too."""
    n = b - a
    if n <= 0:
        return
    k &= 3
    kk = (bytes(key[k:4]) + bytes(key[:k])) * (n // 4 + 1)
    v = int.from_bytes(buf[a:b], "little") ^ int.from_bytes(kk[:n], "little")
    buf[a:b] = v.to_bytes(n, "little")


def small(buf, a, b, m):
    """A small frame's payload buf[a:b]: unmasked in place when m (the key is the 4 bytes
    before it) -> 0 if it is all ASCII, else not 0 (utf8() decides)."""
    if m:
        mask(buf, a, b, bytes(buf[a - 4:a]), 0)
    o = 0
    for c in buf[a:b]:
        o |= c
    return o & 0x80


# UTF-8 state: 0 = between characters; else need | lo << 8 | hi << 16 (need: continuation
# bytes still due, lo..hi: the range the next one must fall in). -1: invalid.
def utf8(buf, a, b, st):
    """Validate buf[a:b] continuing from state st -> the new state, or -1."""
    need = st & 0xFF
    lo = (st >> 8) & 0xFF
    hi = (st >> 16) & 0xFF
    for i in range(a, b):
        c = buf[i]
        if need == 0:
            if c < 0x80:
                continue
            lo = 0x80
            hi = 0xBF
            if c < 0xC2:
                return -1
            if c < 0xE0:
                need = 1
            elif c < 0xF0:
                need = 2
                if c == 0xE0:
                    lo = 0xA0
                elif c == 0xED:
                    hi = 0x9F
            elif c < 0xF5:
                need = 3
                if c == 0xF0:
                    lo = 0x90
                elif c == 0xF4:
                    hi = 0x8F
            else:
                return -1
        else:
            if c < lo or c > hi:
                return -1
            need -= 1
            lo = 0x80
            hi = 0xBF
    if need == 0:
        return 0
    return need | (lo << 8) | (hi << 16)
