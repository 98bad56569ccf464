# gzip / zlib / raw deflate response bodies, decoded with MicroPython's `deflate` module.
# Loaded only when a request asked for a compressed body (Accept-Encoding).
import io
import deflate
from ._err import BusinessError

from micropython import const

_E_ENCODING = const(2300061)
_E_TOO_BIG = const(2300023)


def inflate(data, enc, limit):
    """The decoded body; bounded by limit (bombs -> 2300023), bad data -> 2300061."""
    if enc != "deflate":
        return _inflate_as(data, deflate.GZIP, enc, limit)
    try:
        return _inflate_as(data, deflate.ZLIB, enc, limit)
    except BusinessError as e:
        if e.code != _E_ENCODING:
            raise
        return _inflate_as(data, deflate.RAW, enc, limit)  # servers send raw deflate too


def _inflate_as(data, fmt, enc, limit):
    d = deflate.DeflateIO(io.BytesIO(data), fmt)
    # up to a byte past limit: one that comes tells a body over it (a body up to limit
    # arrives whole: it needed 1 KB of room past its end, limit included, and one within
    # 1 KB of maxLimit was refused with 2300023)
    cap = None if limit is None else limit + 1
    n = len(data) * 4 + 64
    buf = bytearray(n if cap is None or n <= cap else cap)
    n = 0
    try:
        while True:
            k = len(buf)
            if cap is not None and k > cap:
                k = cap
            if n + 1024 > k and k != cap:  # room for 1 KB more first
                try:
                    buf.extend(buf)  # doubled: in place where the blocks after it are free
                except MemoryError:  # (which collected the garbage): 1 KB steps, for
                    buf.extend(bytes(1024))  # the last room the heap has
                continue
            if n == k:  # limit + 1 bytes: a bomb is cut here
                raise BusinessError(_E_TOO_BIG, 27, limit)  # body exceeds maxLimit %d
            k = d.readinto(memoryview(buf)[n:k])
            if not k:
                buf[n:] = b""  # (the result is the body only: no copy of it later)
                return buf
            n += k
    except OSError as e:
        raise BusinessError(_E_ENCODING, "bad %s body: %s" % (enc, e))
