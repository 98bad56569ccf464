# gzip / zlib / raw deflate response bodies, decoded with MicroPython's `deflate` module.
# Loaded only when a request asked for a compressed body (Accept-Encoding).
import io
import deflate
from ._err import BusinessError

from micropython import const

_E_ENCODING = const(2300061)
_E_TOO_BIG = const(2300023)
_TRAILER = "not the size its trailer says, or data after it"


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
    cap = None if limit is None else limit + 1  # a byte past limit tells a body over it
    n = wbits = 0
    size = -1
    if fmt == deflate.GZIP and len(data) > 17:
        # gzip's trailer says the decoded size (ISIZE, mod 2**32): the output is made that
        # size at once, and deflate's window (32 KB for gzip, one block) only as large as
        # the body, since no back-reference reaches before its start: a small body decodes
        # on a heap without a free 32 KB block. A trailer that lies cannot make wrong data:
        # a reach past the window is an error, and so is a size other than ISIZE.
        size = int.from_bytes(data[-4:], "little")
        if cap is not None and size >= cap:
            raise BusinessError(_E_TOO_BIG, 27, limit)  # body exceeds maxLimit %d
        cap = n = size + 1
    if cap is not None:  # a window no larger than the body can be: ISIZE, or maxLimit
        wbits = 8
        while 1 << wbits < cap - 1 and wbits < 15:
            wbits += 1
    src = io.BytesIO(data)
    d = deflate.DeflateIO(src, fmt, wbits)
    if not n:
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
            if n == k:  # cap reached: past ISIZE, or past limit (a bomb is cut here)
                if size >= 0:
                    raise OSError(_TRAILER)
                raise BusinessError(_E_TOO_BIG, 27, limit)  # body exceeds maxLimit %d
            k = d.readinto(memoryview(buf)[n:k])
            if not k:
                if size >= 0 and (n != size or src.tell() != len(data)):
                    # (a second gzip member, which servers do not send, is refused too:
                    # the first alone would be a silently cut body)
                    raise OSError(_TRAILER)
                buf[n:] = b""  # (the result is the body only: no copy of it later)
                return buf
            n += k
    except OSError as e:
        raise BusinessError(_E_ENCODING, "bad %s body: %s" % (enc, e))
