# gzip / zlib / raw deflate response bodies, decoded with MicroPython's `deflate` module.
# Loaded only when a request asked for a compressed body (Accept-Encoding).
import io
import deflate
from ._err import BusinessError

from micropython import const

_E_ENCODING = const(2300061)


def inflate(data, enc, limit, grow):
    """The decoded body; bounded by limit (bombs -> 2300023), bad data -> 2300061.
    grow: the engine's buffer growth (_client._grow), passed in so that this module does not
    import the engine that imports it."""
    if enc != "deflate":
        return _inflate_as(data, deflate.GZIP, enc, limit, grow)
    try:
        return _inflate_as(data, deflate.ZLIB, enc, limit, grow)
    except BusinessError as e:
        if e.code != _E_ENCODING:
            raise
        return _inflate_as(data, deflate.RAW, enc, limit, grow)  # servers send raw deflate too


def _inflate_as(data, fmt, enc, limit, grow):
    d = deflate.DeflateIO(io.BytesIO(data), fmt)
    n = len(data) * 4 + 64
    buf = bytearray((n if limit is None or n <= limit else limit) or 16)
    n = 0
    try:
        while True:
            if n + 1024 > len(buf):  # (room for 1 KB more first, as a bomb is cut there)
                buf = grow(buf, n, n + 1024, limit, 0)
            k = d.readinto(memoryview(buf)[n:])
            if not k:
                return buf if n == len(buf) else memoryview(buf)[:n]
            n += k
    except OSError as e:
        raise BusinessError(_E_ENCODING, "bad %s body: %s" % (enc, e))
