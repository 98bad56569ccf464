# bytes that take over a bytearray's memory, no copy: a large message read into a bytearray
# (its size not known in advance, or filled as it arrives) becomes the bytes a listener gets,
# and a text the str sharing them (str of a bytes shares its data on MicroPython), so it is
# held once, not as its buffer beside a copy. MicroPython's bytes object is {type, hash, len,
# data}: a new one is pointed at the bytearray's buffer with hash 0 ("not computed": hash()
# and == compute it from the data). The header is checked before it is written (a runtime
# whose layout differs gets a copy). Loaded with the large-message code only; proto.wspmdz
# rewrites a bytearray's header with the same words.
import sys

try:
    import uctypes
except ImportError:  # (CPython: a copy)
    uctypes = None
_W = 8 if sys.maxsize > 1 << 32 else 4  # a machine word
_O = sys.byteorder


def _word(n):
    return n.to_bytes(_W, _O)


def take(buf, n):
    """-> bytes of buf[:n], sharing buf's memory where it can; buf (a bytearray with a
    byte past n, which becomes the C string end) must then not be used again."""
    if uctypes is not None and n < len(buf):
        buf[n] = 0
        return view(buf, 0, n)
    return bytes(memoryview(buf)[:n])


def view(buf, a, n):
    """-> a bytes of buf[a:a + n] sharing buf's memory where it can (else a copy); valid
    while buf lives and is not resized (a = 0: it keeps buf's block alive itself)."""
    if uctypes is not None:
        b = bytes(1)  # (a fresh object: its header is rewritten)
        h = uctypes.bytearray_at(id(b), 4 * _W)
        f = int.from_bytes
        if f(h[2 * _W : 3 * _W], _O) == 1 and f(h[3 * _W :], _O) == uctypes.addressof(b):
            h[_W:] = _word(0) + _word(n) + _word(uctypes.addressof(buf) + a)
            return b
    return bytes(memoryview(buf)[a : a + n])
