# gzip / zlib / raw deflate response bodies, decoded with MicroPython's `deflate` module.
# Loaded only when a request asked for a compressed body (Accept-Encoding).
import io
import deflate
from ._err import BusinessError

from micropython import const

_E_ENCODING = const(2300061)


def inflate(data, enc, limit, sink):
    """The decoded body; bounded by limit (bombs -> 2300023), bad data -> 2300061.
    sink: the engine's growing result buffer class (_client.Sink), passed in so that this
    module does not import the engine that imports it."""
    if enc != "deflate":
        return _inflate_as(data, deflate.GZIP, enc, limit, sink)
    try:
        return _inflate_as(data, deflate.ZLIB, enc, limit, sink)
    except BusinessError as e:
        if e.code != _E_ENCODING:
            raise
        return _inflate_as(data, deflate.RAW, enc, limit, sink)  # servers send raw deflate too


def _inflate_as(data, fmt, enc, limit, sink):
    d = deflate.DeflateIO(io.BytesIO(data), fmt)
    out = sink(len(data) * 4 + 64, limit)
    try:
        while True:
            out._room(out.n + 1024)
            k = d.readinto(memoryview(out.buf)[out.n:])
            if not k:
                return out.value()
            out.n += k
    except OSError as e:
        raise BusinessError(_E_ENCODING, "bad %s body: %s" % (enc, e))
