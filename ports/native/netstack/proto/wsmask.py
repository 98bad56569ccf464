# The two per-byte loops of WebSocket as native code: XOR masking (RFC 6455 §5.3) and UTF-8
# validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), in place, no
# allocation. Viper runs at hundreds of MB/s where bytecode does ~10, but a viper module
# compiles only for one architecture (mpy-cross -march), so it lives here, outside lib/ (whose
# every file compiles with plain mpy-cross, for any port): the build tools compile it into
# netstack/proto/ of the library for the target's architecture (tools/build_mpy.py: this host
# or --march; tools/deploy.py: the board's; frozen/manifest.py: the firmware's).
# netstack.proto.ws imports it when it is there and falls back to netstack.proto.wsref, the
# plain-Python reference with the same functions (the tests check one against the other).


@micropython.viper
def _words(p: int, e: int, kw: int):
    # XOR the 32-bit words from address p up to e with kw. A function of its own so p, e
    # and kw are its first locals: viper keeps those in registers
    while p < e:
        ptr32(p)[0] ^= kw
        p += 4


@micropython.viper
def mask(buf: ptr8, a: int, b: int, key: ptr8, k: int):
    # XOR buf[a:b] (a bytearray) with the 4-byte key, the key's byte for buf[a] being
    # key[k & 3]: bytes up to a 4-byte address boundary, then aligned 32-bit words (as
    # Xtensa wants) with the key rotated to that phase (little-endian, as every port
    # netstack runs on), then the tail bytes. 64 KiB in ~43 us on x64, where a
    # 4-bytes-per-step byte loop took ~200 us (unrolling 4 words: 36 us, 550 B more code)
    i = a
    base = int(buf)
    while i < b:
        if (base + i) & 3 == 0 and b - i >= 4:
            e = i + ((b - i) & -4)
            kw = 0
            x = k + 3
            while x >= k:  # the key word at this phase, little-endian
                kw = (kw << 8) | key[x & 3]
                x -= 1
            _words(base + i, base + e, kw)
            i = e
            continue
        buf[i] ^= key[k & 3]
        i += 1
        k += 1


@micropython.viper
def small(buf: ptr8, a: int, b: int, m: int) -> int:
    # a small frame's payload buf[a:b] (at most 125 bytes): unmasked in place when m
    # (the key is the 4 bytes before it, as a frame has it), and checked for ASCII ->
    # 0: all ASCII (valid UTF-8 as it is), else not (utf8() decides). One native call
    # and no key slice per small frame instead of mask() and utf8(); aligned 32-bit
    # words as in mask()
    i = a
    o = 0
    base = int(buf)
    k = a - 4
    while i < b:
        if (base + i) & 3 == 0 and b - i >= 4:  # aligned 32-bit words
            p = ptr32(base + i)
            n = (b - i) >> 2
            j = 0
            if m:
                kw = 0
                x = i + 3
                while x >= i:  # the key word at this phase, little-endian
                    kw = (kw << 8) | buf[k + ((x - a) & 3)]
                    x -= 1
                while j < n:
                    w = p[j] ^ kw
                    p[j] = w
                    o |= w
                    j += 1
            else:
                while j < n:
                    o |= p[j]
                    j += 1
            i += n << 2
            continue
        c = buf[i]  # bytes up to a 4-byte address boundary, and the tail
        if m:
            c ^= buf[k + ((i - a) & 3)]
            buf[i] = c
        o |= c
        i += 1
    return (o >> 7) & 0x1010101  # (a constant over 31 bits is an object in viper)


# UTF-8 state: 0 = between characters; else need | lo << 8 | hi << 16 (need: continuation
# bytes still due, lo..hi: the range the next one must fall in). -1: invalid.
@micropython.viper
def utf8(buf: ptr8, a: int, b: int, st: int) -> int:
    """Validate buf[a:b] continuing from state st -> the new state, or -1."""
    i = a
    need = st & 0xFF
    lo = (st >> 8) & 0xFF
    hi = (st >> 16) & 0xFF
    while i < b:
        c = buf[i]
        i += 1
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
