# netstack.proto (RecvBuf), http1, http1srv, url: one module for both runtimes. On MicroPython,
# tools/devtest.py runs it as a script (the main block at the end calls every test_*, then
# prints the heap cost of importing http1 and parsing a response, and OK); on CPython,
# tests/host/test_proto_http1_shared.py loads it and pytest collects the same test_*.
# (tests/host/test_proto_http1.py adds CPython-only cases: parametrized tables, timing.)
import gc

import netstack._err  # noqa: F401  the package and _err are not part of what is measured

_mem_free = getattr(gc, "mem_free", lambda: 0)  # CPython has no heap figure
gc.collect()
_free0 = _mem_free()
from netstack.proto import http1, http1body  # noqa: E402
from netstack.proto import RecvBuf  # noqa: E402

gc.collect()
_free1 = _mem_free()

from netstack.proto import url, http1srv, ProtoError  # noqa: E402
from netstack._clientx import http_error  # noqa: E402


def code_of(e):
    # proto/ raises kinds, no codes; the codes are what the http engine reports for them
    return http_error(e).code


def raises(code, fn, *args):
    try:
        fn(*args)
    except ProtoError as e:
        assert code_of(e) == code, (code, code_of(e), e.message)
        return e.message
    raise AssertionError("no ProtoError (code %d) from %r" % (code, args))


def drive(data, step=0, method="GET", size=512, eof=True, request=False):
    """All heads and bodies in data, fed `step` bytes at a time (0: all at once).
    -> (messages, outcome) like the host tests."""
    rb = RecvBuf(size)
    msgs = []
    cur = [None, None, None]

    def pump():
        while True:
            if cur[1] is None:
                h = http1srv.parse_request_head(rb) if request else http1.parse_response_head(rb)
                if h is None:
                    return
                if request:
                    k = http1srv.request_framing(h[3])
                else:
                    k = http1body.response_framing(method, h[0], h[3])
                cur[0] = h
                cur[1] = http1body.BodyReader(k[0], k[1])
                cur[2] = bytearray()
            r = cur[1].read(rb)
            if r is None:
                if cur[1].done:
                    msgs.append(cur[0] + (bytes(cur[2]), cur[1].trailers))
                    cur[1] = None
                    continue
                return
            cur[2].extend(rb.mv[r[0] : r[1]])

    step = step or len(data) or 1
    try:
        i = 0
        while i < len(data):
            room = len(rb.buf) - len(rb)
            n = min(step, room)
            assert n > 0
            rb.feed(data[i : i + n])
            i += n
            pump()
        if eof and cur[1] is not None:
            cur[1].eof()
            pump()
            if cur[1] is not None and cur[1].done:
                msgs.append(cur[0] + (bytes(cur[2]), cur[1].trailers))
    except ProtoError as e:
        return msgs, ("err", code_of(e), e.message)
    return msgs, ("rest", bytes(rb.mv[rb.start : rb.end]))


def both(data, **kw):
    a = drive(data, **kw)
    b = drive(data, step=1, **kw)
    assert a == b, (a, b)
    return a


typical = (
    b"HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
    b"Content-Type: application/json\r\nContent-Length: 16\r\n"
    b"Connection: keep-alive\r\nServer: gunicorn\r\n\r\n"
    b'{"ok": true, "n"'
)


def first_err(data, **kw):
    msgs, out = both(data, **kw)
    assert out[0] == "err", out
    return out[1], out[2]


def _rb_over():
    b = RecvBuf(32)
    b.feed(b"GET / HTTP/1.1\r\nHost: aaaaaaaaaa")  # 32 bytes, no head end: full
    return b


def test_recvbuf():
    # RecvBuf
    rb = RecvBuf(8)
    rb.feed(b"123456")
    rb.consume(4)
    v = rb.space()
    assert len(v) == 6 and rb.start == 0 and bytes(rb.buf[:2]) == b"56"
    v[0:2] = b"ab"
    rb.wrote(2)
    assert bytes(rb.mv[rb.start : rb.end]) == b"56ab"
    rb.feed(b"cdef")
    assert len(rb.space()) == 0
    raises(2300008, rb.feed, b"x")
    rb.consume(99)
    assert rb.start == rb.end == 0


def test_typical_response_keep_alive_1_byte_feeds():
    # typical response, keep-alive, 1-byte feeds
    msgs, out = both(typical + b"HTTP/1.0 404 Not Found\nX-A:  b \n\n")
    assert out == ("rest", b""), out
    assert msgs[0][:3] == (200, "OK", 1) and msgs[0][4] == b'{"ok": true, "n"'
    assert http1.header(msgs[0][3], "content-type") == "application/json"
    assert msgs[1][:4] == (404, "Not Found", 0, [("x-a", "b")])


def test_bare_lf_head_then_body_starting_with_crlf():
    # the blank line is the first LF LF, even when CR LF follows it (the body's first bytes)
    msgs, out = both(b"HTTP/1.1 200 OK\nContent-Length: 2\n\n\r\n")
    assert out == ("rest", b""), out
    assert msgs[0][0] == 200 and msgs[0][4] == b"\r\n", msgs


def test_chunked_with_extensions_and_trailers():
    # chunked with extensions and trailers
    msgs, out = both(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;x=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Sum: 9 \r\nX-B: c\r\n\r\n"
        b"HTTP/1.1 204 No Content\r\n\r\n"
    )
    assert out == ("rest", b"")
    assert msgs[0][4] == b"hello 0123456789"
    assert msgs[0][5] == [("x-sum", "9"), ("x-b", "c")]
    assert msgs[1][0] == 204


def test_header_values_utf_8_else_latin_1():
    # header values: UTF-8, else latin-1
    msgs, out = both(b"HTTP/1.1 200 OK\r\nX-U: caf\xc3\xa9\r\nX-L: caf\xe9\r\nContent-Length: 0\r\n\r\n")
    assert msgs[0][3] == [("x-u", "caf\xe9"), ("x-l", "caf\xe9"), ("content-length", "0")]


def test_framing():
    # framing
    assert http1body.response_framing("HEAD", 200, [("content-length", "5")]) == (http1body.NONE, 0)
    assert http1body.response_framing("GET", 304, []) == (http1body.NONE, 0)
    assert http1body.response_framing("GET", 200, [("transfer-encoding", "chunked"), ("content-length", "5")]) == (http1body.CHUNKED, 0)
    assert http1body.response_framing("GET", 200, [("content-length", "5, 5")]) == (http1body.LENGTH, 5)
    assert http1body.response_framing("GET", 200, []) == (http1body.CLOSE, 0)
    assert http1srv.request_framing([]) == (http1body.NONE, 0)
    raises(2300061, http1body.response_framing, "GET", 200, [("transfer-encoding", "gzip, chunked")])
    raises(2300008, http1body.response_framing, "GET", 200, [("content-length", "5"), ("content-length", "6")])
    raises(2300008, http1body.response_framing, "GET", 200, [("content-length", "+5")])
    raises(2300008, http1body.response_framing, "GET", 200, [("content-length", "0x5")])
    raises(2300008, http1body.response_framing, "GET", 200, [("content-length", "1 5")])
    # digits other than ASCII ones (CPython's int() and isdigit() take them)
    raises(2300008, http1body.response_framing, "GET", 200, [("content-length", "\u0661\u0662")])
    raises(2300008, http1body.response_framing, "GET", 200, [("content-length", "1\u00b2")])


def test_request_head_injection():
    # values are checked on the joined head: the header carrying CR/LF/NUL is named, also
    # when the headers come from an iterator (read once), and an int value is sent as text
    for bad in ("a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b"):
        for hs in ([("x-ok", "1"), ("x-bad", bad)], iter([("x-ok", 2), ("x-bad", bad)])):
            try:
                http1.request_head("GET", "/", hs)
            except ProtoError as e:
                assert "x-bad" in str(e.message), e.message
            else:
                raise AssertionError("CR/LF/NUL sent in a header value: %r" % bad)
    assert http1.request_head("GET", "/", iter([("x-n", 7)])) == b"GET / HTTP/1.1\r\nx-n: 7\r\n\r\n"


def test_rejections():
    # rejections
    assert first_err(b"HTTP/2 200 OK\r\n\r\n") == (2300008, "bad status line")
    assert first_err(b"HTTP/1.1 20 OK\r\n\r\n") == (2300008, "bad status line")
    assert first_err(b"HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n") == (2300008, "obsolete line folding")
    assert first_err(b"HTTP/1.1 200 OK\r\nA : 1\r\n\r\n")[0] == 2300008
    assert first_err(b"HTTP/1.1 200 OK\r\nA: 1\x002\r\n\r\n")[0] == 2300008
    many = b"HTTP/1.1 200 OK\r\n" + b"".join([b"H%d: v\r\n" % i for i in range(65)]) + b"\r\n"
    assert first_err(many, size=2048) == (2300008, "too many header lines (>64)")
    assert first_err(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 600 + b"\r\n\r\n") == (
        2300008,
        "response head larger than 512 bytes",
    )
    ch = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert first_err(ch + b"zz\r\n") == (2300061, "bad chunk size")
    assert first_err(ch + b"123456789\r\n") == (2300061, "chunk size too large (>8 hex digits)")
    assert first_err(ch + b"3\r\nabcX") == (2300061, "missing CRLF after chunk data")
    assert first_err(ch + b"3\r\nab") == (2300018, "chunked body cut")
    assert first_err(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc") == (
        2300018,
        "body ended early: 3 of 9 bytes",
    )
    msgs, out = both(b"HTTP/1.0 200 OK\r\n\r\nuntil close")
    assert msgs[0][4] == b"until close" and out == ("rest", b"")


def test_request_side():
    # request side
    msgs, out = both(b"\r\nPOST /a?b=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhiGET / HTTP/1.0\n\n", request=True)
    assert [(m[0], m[1], m[2], m[4]) for m in msgs] == [("POST", "/a?b=1", 1, b"hi"), ("GET", "/", 0, b"")]
    assert first_err(b"GET  / HTTP/1.1\r\n\r\n", request=True) == (2300008, "bad request line")


def test_writers():
    # writers
    assert http1.request_head("GET", "/", [("Host", "h"), ("Content-Length", 0)]) == (
        b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
    )
    assert http1srv.response_head(200, "OK", []) == b"HTTP/1.1 200 OK\r\n\r\n"
    raises(401, http1.request_head, "GET", "/", [("X", "a\r\nEvil: 1")])
    raises(401, http1.request_head, "GET", "/ HTTP/1.0\r\n", [])
    raises(401, http1.request_head, "GET", "/", [("X:Y", "v")])
    raises(401, http1srv.response_head, 200, "OK\n", [])


def test_url():
    # url
    assert url.split("HTTPS://u@Example.com:8443/a?b#c") == ("https", "example.com", 8443, "/a?b", "u")
    assert url.split("http://[::1]") == ("http", "::1", 80, "/", None)
    raises(2300001, url.split, "ftp://h/")
    raises(2300003, url.split, "http://h:99999/")
    raises(2300003, url.split, "http://h/a b")
    raises(2300003, url.split, "nourl")
    assert url.host_header("::1", 8080, "http") == "[::1]:8080"
    assert url.host_header("h", 443, "wss") == "h"
    assert url.quote("a b/\xe9", "/") == "a%20b/%C3%A9"
    assert url.urlencode([("q", "x&y"), ("n", 1)]) == "q=x%26y&n=1"
    assert url.join("http://a/b/c/d;p?q", "../g?y#s") == "http://a/b/g?y"
    assert url.join("http://a/b/c", "//o/p") == "http://o/p"
    assert url.join("http://a/b/c", "?z") == "http://a/b/c?z"
    assert url.add_query("http://h/p?x=1#f", "y=2") == "http://h/p?x=1&y=2#f"


def test_tokens_and_error_hints():
    # header tokens: Connection is a comma-separated list
    H = [("connection", "keep-alive, Upgrade"), ("connection", "close ,foo")]
    assert http1.has_token(H, "connection", "upgrade") and http1.has_token(H, "connection", "close")
    assert not http1.has_token([("connection", "closed")], "connection", "close")
    # errors carry a kind and a status hint for a server, no client code
    try:
        http1srv.parse_request_head(_rb_over())
        raise AssertionError("no error for an oversized head")
    except ProtoError as e:
        assert e.status == 431 and "larger than" in e.message, (e.kind, e.status, e.message)


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
        gc.collect()
    # heap: importing http1 (+buf, _err) and parsing a typical response
    gc.collect()
    f0 = _mem_free()
    rb = RecvBuf(4096)
    gc.collect()
    f1 = _mem_free()
    rb.feed(typical)
    h = http1.parse_response_head(rb)
    k = http1body.response_framing("GET", h[0], h[3])
    br = http1body.BodyReader(k[0], k[1])
    r = br.read(rb)
    assert br.done and bytes(rb.mv[r[0] : r[1]]) == b'{"ok": true, "n"'
    f2 = _mem_free()
    print("heap: import proto+http1 %d B, RecvBuf(4096) %d B, parse typical response %d B"
          % (_free0 - _free1, f0 - f1, f1 - f2))
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
