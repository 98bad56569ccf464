# netstack.proto.wsmask, the native (viper) mask and UTF-8 loops built from ports/native,
# held to netstack.proto.wsref, the plain-Python reference, on inputs of every alignment,
# length and mask phase. On MicroPython the build includes the native module and proto.ws
# must use it (a build without it would run ~30x slower per byte, quietly); on CPython
# proto.ws runs the reference (tests/host/test_fuzz_ws.py checks both against CPython's
# UTF-8 decoder there).
import sys

from netstack.proto import ws, wsref

MPY = sys.implementation.name == "micropython"
if MPY:
    from netstack.proto import wsmask as native
else:
    native = wsref

_seed = 12345


def rnd(n):
    # a small LCG: the same bytes on every runtime, no random module needed
    global _seed
    out = bytearray(n)
    for i in range(n):
        _seed = (_seed * 1103515245 + 12345) & 0x7FFFFFFF
        out[i] = _seed >> 16 & 0xFF
    return out


def test_proto_ws_uses_the_native_loops():
    assert ws.mask is native.mask and ws.small is native.small and ws.utf8 is native.utf8
    assert MPY == (native is not wsref)


def plain_xor(buf, a, b, key, k):
    """mask() one byte at a time: the plainest statement of RFC 6455's masking (the
    oracle; lib/ carries no test-only code)."""
    for i in range(a, b):
        buf[i] ^= key[(k + i - a) & 3]


def test_mask_matches_the_reference():
    data = rnd(300)
    for a in (0, 1, 2, 3, 6):
        for b in (a, a + 1, a + 3, a + 4, a + 9, 150, 300):
            for k in range(4):
                key = rnd(4)
                x, y = bytearray(data), bytearray(data)
                native.mask(x, a, b, key, k)
                plain_xor(y, a, b, key, k)
                assert x == y, (a, b, k)
                wsref.mask(y, a, b, key, k)   # and the reference undoes it
                assert y == data, (a, b, k)


def test_small_matches_the_reference():
    for off in range(4):
        for n in (0, 1, 4, 7, 64, 125):
            for m in (0, 1):
                for hi in (False, True):
                    pay = bytearray(c & 0x7F for c in rnd(n))
                    if hi and n:
                        pay[n // 2] |= 0x80
                    key = rnd(4)
                    buf = bytearray(off) + (key if m else b"") + pay
                    a = off + 4 * m
                    if m:  # as a frame has it: the payload masked with the 4 bytes before it
                        wsref.mask(buf, a, a + n, key, 0)
                    x, y = bytearray(buf), bytearray(buf)
                    rx, ry = native.small(x, a, a + n, m), wsref.small(y, a, a + n, m)
                    assert x == y and x[a:] == pay, (off, n, m, hi)
                    assert bool(rx) == bool(ry) == (hi and n > 0), (off, n, m, hi)


def test_utf8_matches_the_reference():
    # random bytes biased towards UTF-8's lead and continuation bytes, cut anywhere
    pool = b"\x00a\x7f\x80\x8f\x90\x9f\xa0\xbf\xc0\xc1\xc2\xdf\xe0\xe1\xed\xee\xef\xf0\xf1\xf4\xf5\xff"
    for t in range(400):
        n = t % 9 + 1
        data = bytes(pool[c % len(pool)] for c in rnd(n))
        want = wsref.utf8(data, 0, n, 0)
        assert native.utf8(data, 0, n, 0) == want, data
        cut = t % (n + 1)
        st = native.utf8(data, 0, cut, 0)
        assert st == wsref.utf8(data, 0, cut, 0), (data, cut)
        if st >= 0:
            assert native.utf8(data, cut, n, st) == wsref.utf8(data, cut, n, st), (data, cut)


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
