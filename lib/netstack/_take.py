# bytes that take over a bytearray's memory, no copy: a large message read into a bytearray
# (its size not known in advance, or filled as it arrives) becomes the bytes a listener gets,
# and a text the str sharing them (str of a bytes shares its data on MicroPython), so it is
# held once, not as its buffer beside a copy. MicroPython's bytes object is {type, hash, len,
# data}: a new one is pointed at the bytearray's buffer with hash 0 ("not computed": hash()
# and == compute it from the data). The header is checked before it is written (a runtime
# whose layout differs gets a copy). resize() reallocates a bytearray's block once, in place
# where it can (the same header words). Loaded with the large-message code only.
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


def resize(buf, n):
    """buf (a bytearray) to n > 0 bytes, its first n kept (the bytes added are not
    cleared), reallocated once: grown in place where the blocks after it are free, else
    moved; shrunk in place, its tail freed (no Python call does either without a second
    buffer of the size). MemoryError (no room): buf as it was. Elsewhere: a copy."""
    k = len(buf)
    if uctypes is not None:
        # {type, typecode:8 | free, len, items}: said to hold n - 1 bytes with none free,
        # a one-byte extend reallocates its block to n (the heap knows its real size)
        h = uctypes.bytearray_at(id(buf), 4 * _W)
        f = int.from_bytes
        if h[_W] == 1 and f(h[2 * _W : 3 * _W], _O) == k and f(h[3 * _W :], _O) == uctypes.addressof(buf):
            v = buf[n - 1] if n <= k else 0
            h[_W : 3 * _W] = _word(1) + _word(n - 1)
            try:
                buf.extend(b"\0")
            except MemoryError:
                h[2 * _W : 3 * _W] = _word(k)
                raise
            buf[n - 1] = v  # (the byte the extend wrote)
            return
    if n < k:
        buf[n:] = b""
    else:
        buf.extend(bytes(n - k))
