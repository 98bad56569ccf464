# Sans-I/O HTTP/1.1, the side only a server needs (socket's and webSocket's servers, test
# peers): the request head parser, request body framing and the response head writer.
# Loaded on first use; shares its helpers with http1.
from . import ProtoError  # kinds (proto/__init__.py) as numbers here: 3 FRAMING, 5 USAGE
from .http1 import _TOK, _bad, _need, _head_end, _eol, _fields, _head, MAX_HEADERS


def _ver(buf, a):
    # 'HTTP/1.x' at a -> x (0 or 1), else -1
    if buf.find(b"HTTP/1.", a, a + 7) != a:
        return -1
    x = buf[a + 7] - 48
    return x if x == 0 or x == 1 else -1


def parse_request_head(rb, max_headers=None):
    """-> None or (method, target, minor, headers); the head is consumed. Raises ProtoError
    (BAD: answer 400, TOO_BIG: 431)."""
    buf = rb.buf
    while len(rb):  # RFC 9112 §2.2: skip empty lines before the request line
        s = rb.start
        if buf[s] == 10:
            rb.consume(1)
        elif buf[s] == 13 and len(rb) > 1 and buf[s + 1] == 10:
            rb.consume(2)
        else:
            break
    h = _head_end(rb)
    if h < 0:
        return _need(rb, "request")
    mv = rb.mv
    s = rb.start
    p = buf.find(b"\n", s, h)
    e = _eol(buf, s, p)
    # 'METHOD SP target SP HTTP/1.x', single spaces
    sp1 = buf.find(b" ", s, e)
    sp2 = buf.find(b" ", sp1 + 1, e) if sp1 > s else -1
    if sp2 <= sp1 + 1 or e - sp2 != 9 or _ver(buf, sp2 + 1) < 0:
        raise _bad(39)  # bad request line
    for j in range(s, sp1):
        c = buf[j]
        if c > 127 or not _TOK[c]:
            raise _bad(40)  # bad request method
    for j in range(sp1 + 1, sp2):
        c = buf[j]
        if c < 33 or c > 126:
            raise _bad(26)  # bad request target
    hs = _fields(bytes(mv[p + 1:h]), MAX_HEADERS if max_headers is None else max_headers)
    r = (str(mv[s:sp1], "utf-8"), str(mv[sp1 + 1 : sp2], "utf-8"), buf[e - 1] - 48, hs)
    rb.consume(h - s)
    return r


def request_framing(headers):
    """-> (kind, length) for a received request: no TE and no CL means no body.
    TE present but chunked not last -> ProtoError(FRAMING), status 400 (RFC 9112 §6.3:
    answer 400 and close)."""
    # here, not at the top: a WebSocket server's handshake has no body and does not load it
    from .http1body import _chunked_te, _clen, NONE, LENGTH, CHUNKED
    te = _chunked_te(headers)
    if te is not None:
        if not te:
            raise ProtoError(3, 41, 400)  # request Transfer-Encoding does not end in chunked
        return (CHUNKED, 0)
    n = _clen(headers)
    if n < 0:
        return (NONE, 0)
    return (LENGTH, n)


def response_head(status, reason, headers):
    """-> b'HTTP/1.1 SSS reason\\r\\n' + header lines + b'\\r\\n'."""
    if not isinstance(status, int) or not 100 <= status <= 999:
        raise ProtoError(5, 42)  # bad status
    if not isinstance(reason, str) or "\r" in reason or "\n" in reason or "\x00" in reason:
        raise ProtoError(5, 43)  # bad reason
    return _head(["HTTP/1.1 %d %s" % (status, reason)], headers)
