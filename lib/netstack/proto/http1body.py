# Sans-I/O HTTP/1.1 body framing (RFC 9112 §6, §7): no body / Content-Length / chunked /
# until close, for responses (response_framing, BodyReader) and requests (http1srv).
# Apart from http1 so a program that only parses heads (a WebSocket handshake) does not
# carry it. Body pieces come back as (start, end) offsets into rb.buf, never as copies.
from micropython import const

from . import ProtoError
from . import http1
from .http1 import _bad, _big, _eol, _hline

# ProtoError kinds (proto/__init__.py), as consts
_FRAMING = const(3)
_CUT = const(4)
_USAGE = const(5)

# Body framing kinds (public).
NONE = const(0)
LENGTH = const(1)
CHUNKED = const(2)
CLOSE = const(3)

_S_SIZE = const(0)  # chunked: expecting a chunk-size line
_S_DATA = const(1)  # chunked: inside chunk data
_S_CRLF = const(2)  # chunked: expecting the CRLF after chunk data
_S_TRAIL = const(3)  # chunked: trailer lines until the empty line


def _te(n, arg=None, status=400):
    return ProtoError(_FRAMING, n, status, arg)


# (frames within 11 words, as in http1: `while` loops, the per-value work in functions)
def _chunked_te(headers):
    # Transfer-Encoding codings -> None (absent), True (chunked last), False (identity only).
    # Codings we cannot decode, or chunked anywhere but last, -> ProtoError(FRAMING).
    last = None
    i = 0
    while i < len(headers):
        k, v = headers[i]
        i += 1
        if k == "transfer-encoding":
            last = _codings(v, last)
    if last is None:
        return None
    if not last:
        raise _te(12)  # empty Transfer-Encoding
    return last == "chunked"


def _codings(v, last):
    for t in v.split(","):
        t = t.strip().lower()
        if not t:
            continue
        if last == "chunked":
            raise _te(10)  # chunked is not the last transfer coding
        if t != "chunked" and t != "identity":
            raise _te(11, t[:20], 501)  # unsupported transfer coding '%s'
        last = t
    return "" if last is None else last


# CPython's str.isdigit() takes non-ASCII digits too (MicroPython's does not): only there
# max(t) (a new str per char on MicroPython) checks for them
_UNI = "\u0663".isdigit()


def _clen(headers):
    # Content-Length -> int, or -1 when absent. Several headers or a comma list must agree.
    n = -1
    i = len(headers)
    while i:  # (backwards: len() once; all lines must agree, in any order)
        i -= 1
        k, v = headers[i]
        if k == "content-length":
            n = _cl(v, n) if "," in v else _cl1(v, n)
    return n


def _cl(v, n):
    for t in v.split(","):
        n = _cl1(t, n)
    return n


def _cl1(t, n):
    # one Content-Length value t, which must agree with n (-1: none before) -> its int
    t = t.strip()
    if not t or len(t) > 15 or not t.isdigit() or (_UNI and max(t) > "9"):  # ASCII only
        raise _bad(13, t[:20])  # bad Content-Length '%s'
    m = int(t)
    if n >= 0 and m != n:
        raise _bad(14)  # conflicting Content-Length values
    return m


def response_framing(method, status, headers):
    """-> (kind, length) for a response to `method` (RFC 9112 §6.3)."""
    if method == "HEAD" or status < 200 or status == 204 or status == 304:
        return (NONE, 0)
    if method == "CONNECT" and status < 300:
        return (NONE, 0)  # the connection became a tunnel
    te = _chunked_te(headers)
    if te is not None:  # Transfer-Encoding beats Content-Length
        return (CHUNKED, 0) if te else (CLOSE, 0)
    n = _clen(headers)
    if n < 0:
        return (CLOSE, 0)
    return (LENGTH, n)


def _chunk_size(buf, s, e):
    # chunk-size line buf[s:e]: hex digits, optional BWS and ';ext' (ignored)
    v = 0
    i = s
    while i < e:
        c = buf[i] | 32
        if 48 <= c <= 57:
            c -= 48
        elif 97 <= c <= 102:
            c -= 87
        else:
            break
        if v >> 28:
            raise _te(15)  # chunk size too large (>8 hex digits)
        v = (v << 4) | c
        i += 1
    if i == s:
        raise _te(16)  # bad chunk size
    while i < e and (buf[i] == 32 or buf[i] == 9):
        i += 1
    if i < e and buf[i] != 59:
        raise _te(16)  # bad chunk size
    if buf.find(13, i, e) >= 0 or buf.find(0, i, e) >= 0:  # CR, NUL (ints: no bytes constants)
        raise _te(17)  # NUL/CR in chunk extension
    return v


class BodyReader:
    """Reads one message body out of a RecvBuf in pieces, never past its end.

    read(rb, most=-1) -> (start, end) offsets into rb.buf (already consumed: use
    rb.mv[start:end] before the next read into rb) of at most `most` bytes (-1: any), or
    None when it needs more bytes or the body is done.
    Call it until it returns None after each read into rb. done turns True after the last
    byte (and, for chunked, the trailers); trailers holds chunked trailer lines (an empty
    tuple until one came)."""

    # Defaults as class attributes: a reader (one per response) sets only what differs,
    # so its attribute table stays small (no regrowth garbage per request)
    left = 0        # LENGTH: body bytes left; CHUNKED: bytes left of the current chunk
    st = _S_SIZE    # chunked state
    trailers = ()   # a list once a trailer line came
    mx = None       # max_headers for trailers (None: http1.MAX_HEADERS)

    def __init__(self, kind, length=0, max_headers=None):
        if not 0 <= kind <= 3 or length < 0:
            raise ProtoError(_USAGE, 18)  # bad body framing
        self.kind = kind
        self.total = length
        if kind == LENGTH:
            self.left = length
        self.done = kind == NONE or (kind == LENGTH and not length)
        if max_headers is not None:
            self.mx = max_headers

    def read(self, rb, most=-1):
        if self.done:
            return None
        k = self.kind
        if k == CHUNKED:
            return self._chunked(rb, most)
        s = rb.start
        n = rb.end - s
        if k == LENGTH and n > self.left:
            n = self.left
        if 0 <= most < n:
            n = most
        if not n:
            return None
        rb.consume(n)
        if k == LENGTH:
            self.left -= n
            if not self.left:
                self.done = True
        return (s, s + n)

    def want(self):
        """Body bytes the caller may read straight into its own buffer instead of rb (only
        while rb is empty): the rest of a Content-Length body or of the current chunk, -1
        for a body that runs until close, 0 when framing bytes come next."""
        if self.done:
            return 0
        k = self.kind
        if k == LENGTH or (k == CHUNKED and self.st == _S_DATA):
            return self.left
        return -1 if k == CLOSE else 0

    def took(self, n):
        """Account n body bytes read past rb (0 < n, and n <= want() unless want() is -1)."""
        k = self.kind
        if k == CLOSE:
            return
        if not 0 < n <= self.want():
            raise ProtoError(_USAGE, 19, None, n)  # took(%d) beyond the body
        self.left -= n
        if not self.left:
            if k == LENGTH:
                self.done = True
            else:
                self.st = _S_CRLF

    def _chunked(self, rb, most):
        buf = rb.buf
        while True:
            st = self.st
            s = rb.start
            n = rb.end - s
            if st == _S_DATA:
                if n > self.left:
                    n = self.left
                if 0 <= most < n:
                    n = most
                if not n:
                    return None
                rb.consume(n)
                self.left -= n
                if not self.left:
                    self.st = _S_CRLF
                return (s, s + n)
            if st == _S_CRLF:
                if not n:
                    return None
                c = buf[s]
                m = 1
                if c == 13:
                    if n < 2:
                        return None
                    c = buf[s + 1]
                    m = 2
                if c != 10:
                    raise _te(20)  # missing CRLF after chunk data
                rb.consume(m)
                self.st = _S_SIZE
                continue
            # a line: chunk size or trailer; rb.scan skips what was searched already
            p = buf.find(10, s + rb.scan, rb.end)  # LF
            if p < 0:
                rb.scan = n
                if n >= len(buf):
                    if st == _S_SIZE:
                        raise ProtoError(_FRAMING, 21, 431, n)  # chunk size line too long (>%d bytes)
                    raise _big(22, n)  # trailer line too long (>%d bytes)
                return None
            e = _eol(buf, s, p)
            if st == _S_SIZE:
                self.left = _chunk_size(buf, s, e)
                self.st = _S_DATA if self.left else _S_TRAIL
            elif e == s:
                rb.consume(p + 1 - s)
                self.done = True
                return None
            else:
                mx = http1.MAX_HEADERS if self.mx is None else self.mx
                t = self.trailers
                if len(t) >= mx:
                    raise _big(23, mx)  # too many trailer lines (>%d)
                if not t:
                    t = self.trailers = []
                t.append(_hline(bytes(rb.mv[s:e])))  # one trailer line
            rb.consume(p + 1 - s)

    def eof(self):
        """The peer closed. Ends a CLOSE body (call read() until None first); raises
        ProtoError(CUT) when a LENGTH or CHUNKED body is not complete."""
        if self.done:
            return
        if self.kind == CLOSE:
            self.done = True
        elif self.kind == LENGTH:
            raise ProtoError(_CUT, 44, None, (self.total - self.left, self.total))  # ended early
        else:
            raise ProtoError(_CUT, 24)  # chunked body cut
