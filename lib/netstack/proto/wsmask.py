# The two per-byte loops of WebSocket: XOR masking (RFC 6455 §5.3) and UTF-8 validation
# (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), in place, no allocation.
# On MicroPython they are viper (native code: hundreds of MB/s instead of ~10 in bytecode),
# so a .mpy of this module is built with mpy-cross -march (tools/build_mpy.py does it for
# the host). The same source runs as plain Python on CPython, where the micropython shim's
# viper is a no-op; there mask() and Utf8 use CPython's C-speed equivalents instead.
import sys
import micropython

_MPY = sys.implementation.name == "micropython"
if not _MPY:
    ptr8 = int  # only for the annotations, which CPython evaluates


@micropython.viper
def xor(buf: ptr8, a: int, b: int, key: ptr8, k: int):
    """buf[a:b] ^= key, the key's byte for buf[a] being key[k & 3]."""
    i = a
    # whole words when the 4-byte phase allows: 4 bytes per step, same result
    while i < b and (k & 3):
        buf[i] ^= key[k & 3]
        i += 1
        k += 1
    k0 = key[0]
    k1 = key[1]
    k2 = key[2]
    k3 = key[3]
    e = b - 3
    while i < e:
        buf[i] ^= k0
        buf[i + 1] ^= k1
        buf[i + 2] ^= k2
        buf[i + 3] ^= k3
        i += 4
    k = 0
    while i < b:
        buf[i] ^= key[k]
        i += 1
        k += 1


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


def mask(buf, a, b, key, k=0):
    """XOR buf[a:b] (a bytearray) with the 4-byte key, starting at key phase k."""
    xor(buf, a, b, key, k)


if not _MPY:
    _plain_xor = xor

    def mask(buf, a, b, key, k=0):  # noqa: F811  CPython: one big-int XOR, C speed
        n = b - a
        if n <= 0:
            return
        k &= 3
        kk = (bytes(key[k:]) + bytes(key[:k])) * (n // 4 + 1)
        v = int.from_bytes(buf[a:b], "little") ^ int.from_bytes(kk[:n], "little")
        buf[a:b] = v.to_bytes(n, "little")
