# Host tests for netstack.proto.http1 and netstack.proto.RecvBuf (CPython).
# Every parse is run twice, all at once and 1 byte at a time, and must give the same result.
import time

import pytest

from netstack.proto import ProtoError
from netstack._clientx import http_error


def code_of(e):
    """The http code the engine reports for a ProtoError (proto/ itself has none)."""
    return http_error(e).code


from netstack.proto import http1, http1body, http1srv
from netstack.proto import RecvBuf
from netstack.proto.http1body import CHUNKED, CLOSE, LENGTH, NONE


# ---------------------------------------------------------------- drivers


def _pieces(data, step):
    if step is None:
        return [data] if data else []
    return [data[i : i + step] for i in range(0, len(data), step)]


def drive(data, method="GET", step=None, size=4096, eof=True, request=False):
    """Feed data (in pieces of `step` bytes, or all at once) through the head parser and
    the body reader, as a connection would. -> (messages, outcome): messages are
    (head..., body, trailers); outcome is ('err', code, message) or ('rest', bytes)."""
    rb = RecvBuf(size)
    msgs = []
    st = {"head": None, "br": None, "body": None}

    def pump():
        while True:
            if st["br"] is None:
                if request:
                    h = http1srv.parse_request_head(rb)
                else:
                    h = http1.parse_response_head(rb)
                if h is None:
                    return
                if request:
                    kind, n = http1srv.request_framing(h[3])
                else:
                    kind, n = http1body.response_framing(method, h[0], h[3])
                st["head"] = h
                st["br"] = http1body.BodyReader(kind, n)
                st["body"] = bytearray()
            br = st["br"]
            r = br.read(rb)
            if r is None:
                if br.done:
                    msgs.append(st["head"] + (bytes(st["body"]), list(br.trailers)))
                    st["br"] = None
                    continue
                return
            s, e = r
            assert 0 <= s < e <= len(rb.buf)
            st["body"] += rb.mv[s:e]  # test-side reassembly only

    try:
        for piece in _pieces(data, step):
            while piece:
                room = len(rb.buf) - len(rb)
                assert room > 0, "parser left a full buffer without raising"
                rb.feed(piece[:room])
                piece = piece[room:]
                pump()
        if eof and st["br"] is not None:
            st["br"].eof()
            pump()
            if st["br"] is not None and st["br"].done:
                msgs.append(st["head"] + (bytes(st["body"]), list(st["br"].trailers)))
                st["br"] = None
    except ProtoError as e:
        return msgs, ("err", code_of(e), e.message)
    return msgs, ("rest", bytes(rb.mv[rb.start : rb.end]))


def both(data, **kw):
    """Run all at once and byte by byte; assert the same result; return it."""
    a = drive(data, **kw)
    b = drive(data, step=1, **kw)
    assert a == b
    c = drive(data, step=7, **kw)
    assert a == c
    return a


def one(data, **kw):
    msgs, out = both(data, **kw)
    assert out == ("rest", b""), out
    assert len(msgs) == 1, msgs
    return msgs[0]


def err(data, **kw):
    msgs, out = both(data, **kw)
    assert out[0] == "err", out
    return out[1], out[2]


def head_only(data, size=4096, max_headers=None):
    """Parse one response head, all at once and 1 byte at a time."""
    res = []
    for step in (None, 1):
        rb = RecvBuf(size)
        r = None
        try:
            for p in _pieces(data, step):
                while p and r is None:
                    room = len(rb.buf) - len(rb)
                    rb.feed(p[:room])
                    p = p[room:]
                    r = http1.parse_response_head(rb, max_headers)
                if r is not None:
                    break
            res.append(("ok", r, bytes(rb.mv[rb.start : rb.end])))
        except ProtoError as e:
            res.append(("err", code_of(e), e.message))
    assert res[0] == res[1]
    return res[0]


def head_err(data, **kw):
    r = head_only(data, **kw)
    assert r[0] == "err", r
    return r[1], r[2]


def head_ok(data, **kw):
    r = head_only(data, **kw)
    assert r[0] == "ok" and r[1] is not None, r
    return r[1]


def hdr(lines):
    return b"HTTP/1.1 200 OK\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\n"


# ---------------------------------------------------------------- RecvBuf


def test_recvbuf_basics():
    rb = RecvBuf(16)
    assert isinstance(rb.buf, bytearray) and len(rb.buf) == 16
    assert len(rb) == 0 and rb.start == 0 and rb.end == 0
    rb.feed(b"abcdef")
    assert len(rb) == 6 and bytes(rb.mv[rb.start : rb.end]) == b"abcdef"
    rb.consume(2)
    assert (rb.start, rb.end, len(rb)) == (2, 6, 4)
    rb.consume(4)
    assert (rb.start, rb.end) == (0, 0)


def test_recvbuf_space_compacts_and_wrote():
    rb = RecvBuf(16)
    v = rb.space()
    assert len(v) == 16
    v[:10] = b"0123456789"
    rb.wrote(10)
    rb.consume(8)
    v = rb.space()  # compacts: '89' moves to the front
    assert (rb.start, rb.end) == (0, 2) and len(v) == 14
    assert bytes(rb.buf[:2]) == b"89"
    v[:3] = b"abc"
    rb.wrote(3)
    assert bytes(rb.mv[rb.start : rb.end]) == b"89abc"


def test_recvbuf_full_and_overflow():
    rb = RecvBuf(8)
    rb.feed(b"12345678")
    assert len(rb.space()) == 0
    with pytest.raises(ProtoError) as e:
        rb.feed(b"x")
    assert code_of(e.value) == 2300008
    rb.consume(3)
    rb.feed(b"abc")  # fits after compaction
    assert bytes(rb.mv[rb.start : rb.end]) == b"45678abc"
    with pytest.raises(ProtoError) as e:
        rb.wrote(1)
    assert code_of(e.value) == 401


def test_recvbuf_consume_more_than_len_clamps():
    rb = RecvBuf(8)
    rb.feed(b"abc")
    rb.consume(10)
    assert (rb.start, rb.end, len(rb)) == (0, 0, 0)


def test_recvbuf_consume_resets_scan():
    rb = RecvBuf(64)
    rb.feed(b"HTTP/1.1 200 OK\r\nA: b")
    assert http1.parse_response_head(rb) is None
    assert rb.scan > 0
    rb.consume(1)
    assert rb.scan == 0


# ---------------------------------------------------------------- status line


def test_simple_response():
    st, reason, minor, hs, body, tr = one(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"
    )
    assert (st, reason, minor) == (200, "OK", 1)
    assert hs == [("content-length", "5"), ("content-type", "text/plain")]
    assert body == b"hello" and tr == []


@pytest.mark.parametrize(
    "line,status,reason,minor",
    [
        (b"HTTP/1.1 200 OK", 200, "OK", 1),
        (b"HTTP/1.0 404 Not Found", 404, "Not Found", 0),
        (b"HTTP/1.1 200 ", 200, "", 1),
        (b"HTTP/1.1 200", 200, "", 1),
        (b"HTTP/1.1 100 Continue", 100, "Continue", 1),
        (b"HTTP/1.1 999 x", 999, "x", 1),
        (b"HTTP/1.1 500 a  b\tc ", 500, "a  b\tc ", 1),
        (b"HTTP/1.1 200 caf\xc3\xa9", 200, "caf\u00e9", 1),  # valid UTF-8
        (b"HTTP/1.1 200 caf\xe9", 200, "caf\u00e9", 1),  # latin-1 fallback
    ],
)
def test_status_line_ok(line, status, reason, minor):
    r = head_ok(line + b"\r\n\r\n")
    assert r == (status, reason, minor, [])


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"HTTP/2 200 OK",
        b"HTTP/2.0 200 OK",
        b"HTTP/1.2 200 OK",
        b"HTTP/1.x 200 OK",
        b"http/1.1 200 OK",
        b"HTTP/1.1 20 OK",
        b"HTTP/1.1 2000 OK",
        b"HTTP/1.1 099 OK",
        b"HTTP/1.1 000 OK",
        b"HTTP/1.1 abc OK",
        b"HTTP/1.1 2a0 OK",
        b"HTTP/1.1  200 OK",
        b"HTTP/1.1 200\tOK",
        b"HTTP/1.1\t200 OK",
        b" HTTP/1.1 200 OK",
        b"ICY 200 OK",
        b"HTTP/1.1 200 O\x00K",
        b"HTTP/1.1 200 O\rK",
        b"HTTP/1.1",
    ],
)
def test_status_line_bad(line):
    code, msg = head_err(line + b"\r\n\r\n")
    assert code == 2300008
    assert "status" in msg


def test_incomplete_head_returns_none_and_keeps_bytes():
    for part in (b"", b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 200 OK\r\nA: b\r\n\r"):
        rb = RecvBuf(128)
        rb.feed(part)
        assert http1.parse_response_head(rb) is None
        assert len(rb) == len(part) and rb.start == 0


# ---------------------------------------------------------------- header lines


def test_headers_lowercase_strip_order_duplicates():
    r = head_ok(
        hdr(
            [
                b"Content-Type:text/html",
                b"X-A:  spaced value \t",
                b"Set-Cookie: a=1",
                b"SET-COOKIE: b=2",
                b"Empty:",
                b"Empty2:   ",
                b"Location: http://h:80/p?q=1:2",
                b"X-Tok!#$%&'*+-.^_`|~09: v",
            ]
        )
    )
    assert r[3] == [
        ("content-type", "text/html"),
        ("x-a", "spaced value"),
        ("set-cookie", "a=1"),
        ("set-cookie", "b=2"),
        ("empty", ""),
        ("empty2", ""),
        ("location", "http://h:80/p?q=1:2"),
        ("x-tok!#$%&'*+-.^_`|~09", "v"),
    ]
    assert http1.header(r[3], "set-cookie") == "a=1"
    assert http1.header(r[3], "nope") is None
    assert http1.header(r[3], "nope", "d") == "d"


def test_bare_lf_line_endings():
    r = head_ok(b"HTTP/1.1 200 OK\nA: 1\nB: 2\r\n\n")
    assert r == (200, "OK", 1, [("a", "1"), ("b", "2")])
    r = head_ok(b"HTTP/1.1 204 No\n\n")
    assert r == (204, "No", 1, [])
    r = head_ok(b"HTTP/1.1 200 OK\r\nA: 1\n\r\n")
    assert r[3] == [("a", "1")]


def test_value_decoding_utf8_and_latin1():
    r = head_ok(hdr([b"X-U: caf\xc3\xa9", b"X-L: caf\xe9 \xff", b"X-Ctl: a\x01b\x7f"]))
    assert r[3] == [("x-u", "caf\u00e9"), ("x-l", "caf\u00e9 \u00ff"), ("x-ctl", "a\x01b\x7f")]


@pytest.mark.parametrize(
    "line,frag",
    [
        (b"NoColon", "without ':'"),
        (b"Name : v", "whitespace before ':'"),
        (b"Name\t: v", "whitespace before ':'"),
        (b": v", "empty header name"),
        (b"Na me: v", "whitespace in header name"),
        (b"N\x00me: v", "NUL/CR in header name"),
        (b"N\rme: v", "NUL/CR in header name"),
        (b"N\xc3\xa9: v", "non-ASCII header name"),
        (b"N(x): v", "invalid char 0x28"),
        (b"N/x: v", "invalid char 0x2f"),
        (b"Name: a\x00b", "NUL/CR in header value"),
        (b"Name: a\rb", "NUL/CR in header value"),
        (b" folded", "obsolete line folding"),
        (b"\tfolded", "obsolete line folding"),
    ],
)
def test_bad_header_lines(line, frag):
    code, msg = head_err(hdr([b"A: 1", line, b"B: 2"]))
    assert code == 2300008
    assert frag in msg


def test_obs_fold_after_header_rejected():
    code, msg = head_err(b"HTTP/1.1 200 OK\r\nA: 1\r\n  continued\r\n\r\n")
    assert code == 2300008 and "folding" in msg


def test_max_headers():
    lines = [b"H%d: v" % i for i in range(64)]
    assert len(head_ok(hdr(lines))[3]) == 64
    code, msg = head_err(hdr(lines + [b"X: y"]))
    assert code == 2300008 and msg == "too many header lines (>64)"
    code, msg = head_err(hdr(lines[:4]), max_headers=3)
    assert msg == "too many header lines (>3)"
    assert len(head_ok(hdr(lines[:3]), max_headers=3)[3]) == 3


def test_max_headers_module_attribute_is_tunable(monkeypatch):
    monkeypatch.setattr(http1, "MAX_HEADERS", 2)
    code, msg = head_err(hdr([b"A: 1", b"B: 2", b"C: 3"]))
    assert msg == "too many header lines (>2)"
    assert len(head_ok(hdr([b"A: 1", b"B: 2"]))[3]) == 2


def test_head_too_large():
    data = b"HTTP/1.1 200 OK\r\nX: " + b"a" * 100 + b"\r\n\r\n"
    code, msg = head_err(data, size=64)
    assert code == 2300008 and msg == "response head larger than 64 bytes"
    # a head that exactly fills the buffer still parses
    data = b"HTTP/1.1 200 OK\r\nX: " + b"a" * 40 + b"\r\n\r\n"
    assert len(data) == 64
    assert head_ok(data, size=64)[3] == [("x", "a" * 40)]


def test_head_too_large_through_driver():
    code, msg = err(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 5000 + b"\r\n\r\n")
    assert (code, msg) == (2300008, "response head larger than 4096 bytes")


def test_one_byte_feeds_do_not_rescan():
    # the blank-line search resumes at rb.scan: a 3 KB head fed 1 byte at a time stays linear
    data = hdr([b"X-%d: %s" % (i, b"v" * 40) for i in range(60)])
    rb = RecvBuf(4096)
    t = time.perf_counter()
    for i in range(len(data) - 1):
        rb.feed(data[i : i + 1])
        assert http1.parse_response_head(rb) is None
        assert rb.scan >= i - 1  # the cursor follows the data
    rb.feed(data[-1:])
    r = http1.parse_response_head(rb)
    assert r is not None and len(r[3]) == 60
    assert time.perf_counter() - t < 2.0


def test_head_consumed_rest_left():
    rb = RecvBuf(256)
    rb.feed(b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\nBODY")
    r = http1.parse_response_head(rb)
    assert r[3] == [("a", "1")]
    assert bytes(rb.mv[rb.start : rb.end]) == b"BODY"


# ---------------------------------------------------------------- framing


def F(method, status, lines):
    return http1body.response_framing(method, status, [(k.lower(), v) for k, v in lines])


def test_framing_constants():
    assert (NONE, LENGTH, CHUNKED, CLOSE) == (0, 1, 2, 3)
    assert http1.MAX_HEADERS == 64


@pytest.mark.parametrize(
    "method,status,lines,want",
    [
        ("HEAD", 200, [("Content-Length", "10")], (NONE, 0)),
        ("HEAD", 200, [("Transfer-Encoding", "chunked")], (NONE, 0)),
        ("GET", 100, [("Content-Length", "10")], (NONE, 0)),
        ("GET", 101, [], (NONE, 0)),
        ("GET", 199, [], (NONE, 0)),
        ("GET", 204, [("Content-Length", "10")], (NONE, 0)),
        ("GET", 304, [("Content-Length", "10")], (NONE, 0)),
        ("CONNECT", 200, [], (NONE, 0)),
        ("CONNECT", 407, [("Content-Length", "3")], (LENGTH, 3)),
        ("GET", 200, [("Transfer-Encoding", "chunked")], (CHUNKED, 0)),
        ("GET", 200, [("Transfer-Encoding", "Chunked")], (CHUNKED, 0)),
        ("GET", 200, [("Transfer-Encoding", " identity , chunked ")], (CHUNKED, 0)),
        ("GET", 200, [("Transfer-Encoding", "identity"), ("Transfer-Encoding", "chunked")], (CHUNKED, 0)),
        ("GET", 200, [("Transfer-Encoding", "chunked,")], (CHUNKED, 0)),
        ("GET", 200, [("Transfer-Encoding", "chunked"), ("Content-Length", "5")], (CHUNKED, 0)),
        ("GET", 200, [("Content-Length", "5"), ("Transfer-Encoding", "chunked")], (CHUNKED, 0)),
        ("GET", 200, [("Transfer-Encoding", "chunked"), ("Content-Length", "bogus")], (CHUNKED, 0)),
        ("GET", 200, [("Transfer-Encoding", "identity")], (CLOSE, 0)),
        ("GET", 200, [("Transfer-Encoding", "identity"), ("Content-Length", "5")], (CLOSE, 0)),
        ("GET", 200, [("Content-Length", "10")], (LENGTH, 10)),
        ("GET", 200, [("Content-Length", "0")], (LENGTH, 0)),
        ("GET", 200, [("Content-Length", "007")], (LENGTH, 7)),
        ("GET", 200, [("Content-Length", "10, 10,10")], (LENGTH, 10)),
        ("GET", 200, [("Content-Length", "10"), ("Content-Length", "10")], (LENGTH, 10)),
        ("GET", 200, [("Content-Length", "123456789012345")], (LENGTH, 123456789012345)),
        ("POST", 200, [], (CLOSE, 0)),
        ("GET", 404, [], (CLOSE, 0)),
    ],
)
def test_response_framing_ok(method, status, lines, want):
    assert F(method, status, lines) == want


@pytest.mark.parametrize(
    "lines,code,frag",
    [
        ([("Transfer-Encoding", "gzip, chunked")], 2300061, "unsupported transfer coding 'gzip'"),
        ([("Transfer-Encoding", "gzip")], 2300061, "unsupported"),
        ([("Transfer-Encoding", "chunked, identity")], 2300061, "not the last"),
        ([("Transfer-Encoding", "chunked, chunked")], 2300061, "not the last"),
        ([("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")], 2300061, "not the last"),
        ([("Transfer-Encoding", "")], 2300061, "empty Transfer-Encoding"),
        ([("Transfer-Encoding", " , ")], 2300061, "empty Transfer-Encoding"),
        ([("Content-Length", "10"), ("Content-Length", "11")], 2300008, "conflicting"),
        ([("Content-Length", "10, 11")], 2300008, "conflicting"),
        ([("Content-Length", "-1")], 2300008, "bad Content-Length '-1'"),
        ([("Content-Length", "+1")], 2300008, "bad Content-Length"),
        ([("Content-Length", "1.0")], 2300008, "bad Content-Length"),
        ([("Content-Length", "0x10")], 2300008, "bad Content-Length"),
        ([("Content-Length", "1_0")], 2300008, "bad Content-Length"),
        ([("Content-Length", "1 0")], 2300008, "bad Content-Length"),
        ([("Content-Length", "")], 2300008, "bad Content-Length"),
        ([("Content-Length", "5,")], 2300008, "bad Content-Length"),
        ([("Content-Length", "\u0661")], 2300008, "bad Content-Length"),
        ([("Content-Length", "\u00b2")], 2300008, "bad Content-Length"),
        ([("Content-Length", "1234567890123456")], 2300008, "bad Content-Length"),
    ],
)
def test_response_framing_bad(lines, code, frag):
    with pytest.raises(ProtoError) as e:
        F("GET", 200, lines)
    assert code_of(e.value) == code
    assert frag in e.value.message


def test_request_framing():
    assert http1srv.request_framing([]) == (NONE, 0)
    assert http1srv.request_framing([("content-length", "4")]) == (LENGTH, 4)
    assert http1srv.request_framing([("transfer-encoding", "chunked")]) == (CHUNKED, 0)
    assert http1srv.request_framing([("transfer-encoding", "chunked"), ("content-length", "4")]) == (CHUNKED, 0)
    for te in ("identity", "gzip", "chunked, gzip"):
        with pytest.raises(ProtoError) as e:
            http1srv.request_framing([("transfer-encoding", te)])
        assert code_of(e.value) == 2300061
    with pytest.raises(ProtoError) as e:
        http1srv.request_framing([("content-length", "x")])
    assert code_of(e.value) == 2300008


# ---------------------------------------------------------------- bodies


def test_length_body_and_keepalive():
    data = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        b"HTTP/1.1 204 No Content\r\n\r\n"
        b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 2"
    )
    msgs, out = both(data)
    assert [(m[0], m[4]) for m in msgs] == [
        (200, b"hello"),
        (201, b"abc"),
        (204, b""),
        (304, b""),
        (200, b""),
        (200, b"ok"),
    ]
    assert out == ("rest", b"HTTP/1.1 2")


def test_two_responses_in_one_buffer_direct():
    rb = RecvBuf(256)
    rb.feed(
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
    )
    r = http1.parse_response_head(rb)
    br = http1body.BodyReader(*http1body.response_framing("GET", r[0], r[3]))
    s, e = br.read(rb)
    assert bytes(rb.mv[s:e]) == b"abc" and br.done
    assert br.read(rb) is None
    r = http1.parse_response_head(rb)
    assert r[3] == [("transfer-encoding", "chunked")]
    br = http1body.BodyReader(*http1body.response_framing("GET", r[0], r[3]))
    s, e = br.read(rb)
    assert bytes(rb.mv[s:e]) == b"de"
    assert br.read(rb) is None and br.done
    assert len(rb) == 0


def test_head_response_keeps_next():
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 404 NF\r\nContent-Length: 1\r\n\r\nx"
    msgs, out = both(data, method="HEAD")
    assert [(m[0], m[4]) for m in msgs] == [(200, b""), (404, b"")]
    assert out == ("rest", b"x")


def test_1xx_then_final():
    data = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
    )
    msgs, out = both(data)
    assert [(m[0], m[3], m[4]) for m in msgs] == [
        (100, [], b""),
        (103, [("link", "</s.css>")], b""),
        (200, [("content-length", "2")], b"hi"),
    ]


def test_length_body_cut():
    code, msg = err(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    assert (code, msg) == (2300018, "body ended early: 3 of 10 bytes")
    msgs, out = both(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", eof=False)
    assert out == ("rest", b"") and msgs == []


def test_close_body():
    data = b"HTTP/1.0 200 OK\r\n\r\n" + bytes(range(256)) * 40
    msgs, out = both(data)
    assert msgs[0][2] == 0 and msgs[0][4] == bytes(range(256)) * 40
    assert out == ("rest", b"")
    # without eof the body is not done
    msgs, out = both(data, eof=False)
    assert msgs == []


def test_large_length_body_through_small_buffer():
    body = bytes(range(256)) * 50
    data = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    for size in (64, 100, 4096):
        msgs, out = drive(data, size=size)
        assert msgs[0][4] == body and out == ("rest", b"")
        msgs, out = drive(data, size=size, step=33)
        assert msgs[0][4] == body


def test_body_reader_offsets_point_into_buffer():
    rb = RecvBuf(64)
    rb.feed(b"xxhello")
    rb.consume(2)
    br = http1body.BodyReader(LENGTH, 3)
    assert br.read(rb) == (2, 5)
    assert bytes(rb.mv[2:5]) == b"hel" and br.done
    assert br.read(rb) is None
    assert bytes(rb.mv[rb.start : rb.end]) == b"lo"


def test_body_reader_kinds():
    rb = RecvBuf(16)
    br = http1body.BodyReader(NONE)
    assert br.done and br.read(rb) is None and list(br.trailers) == []
    br.eof()  # fine
    br = http1body.BodyReader(LENGTH, 0)
    assert br.done
    br = http1body.BodyReader(CLOSE)
    assert not br.done and br.read(rb) is None
    br.eof()
    assert br.done
    br = http1body.BodyReader(CHUNKED)
    with pytest.raises(ProtoError) as e:
        br.eof()
    assert (code_of(e.value), e.value.message) == (2300018, "chunked body cut")
    for bad in ((7, 0), (LENGTH, -1)):
        with pytest.raises(ProtoError) as e:
            http1body.BodyReader(*bad)
        assert code_of(e.value) == 401


def chunked(body_lines):
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body_lines


def test_chunked_basic_ext_trailers():
    m = one(
        chunked(
            b"5;name=val;x\r\nhello\r\n"
            b"1 ; ext\r\n \r\n"
            b"A\r\n0123456789\r\n"
            b"0000f\r\nabcdefghijklmno\r\n"
            b"0;last\r\nX-Sum: abc \r\nX-Other:1\r\n\r\n"
        )
    )
    assert m[4] == b"hello 0123456789abcdefghijklmno"
    assert m[5] == [("x-sum", "abc"), ("x-other", "1")]


def test_chunked_bare_lf():
    m = one(chunked(b"3\nabc\n0\n\n"))
    assert m[4] == b"abc" and m[5] == []
    m = one(chunked(b"3\r\nabc\n0\nT: 1\n\r\n"))
    assert m[4] == b"abc" and m[5] == [("t", "1")]


def test_chunked_uppercase_and_8_digit_size():
    rb = RecvBuf(64)
    rb.feed(b"FFFFFFFF\r\nab")
    br = http1body.BodyReader(CHUNKED)
    s, e = br.read(rb)
    assert bytes(rb.mv[s:e]) == b"ab" and br.left == 0xFFFFFFFF - 2
    rb = RecvBuf(64)
    rb.feed(b"000000000000aBc\r\n")  # leading zeros do not count
    br = http1body.BodyReader(CHUNKED)
    assert br.read(rb) is None and br.left == 0xABC


@pytest.mark.parametrize(
    "lines,frag",
    [
        (b"100000000\r\n", "chunk size too large (>8 hex digits)"),
        (b"0x5\r\nhello\r\n0\r\n\r\n", "bad chunk size"),
        (b" 5\r\nhello\r\n0\r\n\r\n", "bad chunk size"),
        (b"\r\nhello\r\n0\r\n\r\n", "bad chunk size"),
        (b"g\r\n", "bad chunk size"),
        (b"-5\r\n", "bad chunk size"),
        (b"5 x\r\n", "bad chunk size"),
        (b"5;a\rb\r\nhello\r\n", "NUL/CR in chunk extension"),
        (b"5;a\x00b\r\nhello\r\n", "NUL/CR in chunk extension"),
        (b"5\r\nhelloX\r\n0\r\n\r\n", "missing CRLF after chunk data"),
        (b"5\r\nhello\rX0\r\n\r\n", "missing CRLF after chunk data"),
        (b"5\r\nhello0\r\n\r\n", "missing CRLF after chunk data"),
    ],
)
def test_chunked_bad(lines, frag):
    code, msg = err(chunked(lines))
    assert code == 2300061 and frag in msg, msg


def test_chunk_size_line_too_long():
    code, msg = err(chunked(b"5;" + b"e" * 300), size=256)
    assert code == 2300061 and msg == "chunk size line too long (>256 bytes)"
    # a long extension that fits is ignored
    m = one(chunked(b"2;" + b"e" * 150 + b"\r\nhi\r\n0\r\n\r\n"), size=256)
    assert m[4] == b"hi"


def test_chunked_trailers_bounds():
    tr = b"".join(b"T%d: v\r\n" % i for i in range(64))
    m = one(chunked(b"1\r\na\r\n0\r\n" + tr + b"\r\n"))
    assert len(m[5]) == 64
    code, msg = err(chunked(b"1\r\na\r\n0\r\n" + tr + b"X: y\r\n\r\n"))
    assert (code, msg) == (2300008, "too many trailer lines (>64)")
    code, msg = err(chunked(b"0\r\nbad trailer\r\n\r\n"))
    assert code == 2300008 and "without ':'" in msg
    code, msg = err(chunked(b"0\r\nX: " + b"v" * 300), size=256)
    assert code == 2300008 and "trailer line too long" in msg


def test_chunked_trailers_max_headers_param():
    rb = RecvBuf(128)
    rb.feed(b"0\r\nA: 1\r\nB: 2\r\n\r\n")
    br = http1body.BodyReader(CHUNKED, 0, 1)
    with pytest.raises(ProtoError) as e:
        br.read(rb)
    assert e.value.message == "too many trailer lines (>1)"


@pytest.mark.parametrize(
    "lines",
    [b"5\r\nhel", b"5\r\nhello", b"5\r\nhello\r\n", b"5\r\nhello\r\n0\r\n", b"5\r\nhello\r\n0\r\nT: 1\r\n", b"5"],
)
def test_chunked_cut(lines):
    code, msg = err(chunked(lines))
    assert (code, msg) == (2300018, "chunked body cut")


def test_chunked_does_not_consume_next_response():
    data = chunked(b"2\r\nab\r\n0\r\n\r\n") + b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz"
    msgs, out = both(data)
    assert [(m[0], m[4]) for m in msgs] == [(200, b"ab"), (200, b"z")]


def test_chunked_body_larger_than_buffer():
    body = bytes(range(256)) * 20
    enc = b""
    i = 0
    for n in (1, 100, 1000, 3000, 1019):
        enc += b"%x\r\n" % n + body[i : i + n] + b"\r\n"
        i += n
    enc += b"0\r\n\r\n"
    assert i == len(body)
    for size in (64, 512):
        msgs, out = drive(chunked(enc), size=size, step=100)
        assert msgs[0][4] == body and out == ("rest", b"")


# ---------------------------------------------------------------- request side


def test_request_head():
    rb_data = b"GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"
    msgs, out = both(rb_data, request=True)
    assert msgs == [("GET", "/path?q=1", 1, [("host", "example.com"), ("accept", "*/*")], b"", [])]
    assert out == ("rest", b"")


def test_request_pipelined_with_bodies_and_leading_crlf():
    data = (
        b"\r\n\r\nPOST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        b"\r\nPUT /b HTTP/1.0\nTransfer-Encoding: chunked\n\n2\nxy\n0\n\n"
        b"OPTIONS * HTTP/1.1\r\n\r\n"
    )
    msgs, out = both(data, request=True)
    assert [(m[0], m[1], m[2], m[4]) for m in msgs] == [
        ("POST", "/a", 1, b"abc"),
        ("PUT", "/b", 0, b"xy"),
        ("OPTIONS", "*", 1, b""),
    ]


@pytest.mark.parametrize(
    "line,frag",
    [
        (b"GET / HTTP/2.0", "bad request line"),
        (b"GET / HTTP/1.2", "bad request line"),
        (b"GET / http/1.1", "bad request line"),
        (b"GET /", "bad request line"),
        (b"GET", "bad request line"),
        (b"GET  / HTTP/1.1", "bad request line"),
        (b"GET /  HTTP/1.1", "bad request line"),
        (b"GET / a HTTP/1.1", "bad request line"),
        (b" GET / HTTP/1.1", "bad request line"),
        (b"GET / HTTP/1.1 ", "bad request line"),
        (b"G(T / HTTP/1.1", "bad request method"),
        (b"G\xc3\xa9T / HTTP/1.1", "bad request method"),
        (b"GET /\x01 HTTP/1.1", "bad request target"),
        (b"GET /\xc3\xa9 HTTP/1.1", "bad request target"),
        (b"GET /\x7f HTTP/1.1", "bad request target"),
        (b"GET\t/ HTTP/1.1", "bad request line"),
    ],
)
def test_request_line_bad(line, frag):
    code, msg = err(line + b"\r\nHost: h\r\n\r\n", request=True)
    assert code == 2300008 and frag in msg


def test_request_head_bad_header_and_too_large():
    code, msg = err(b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", request=True)
    assert code == 2300008 and "whitespace in header name" in msg
    code, msg = err(b"GET /" + b"a" * 300 + b" HTTP/1.1\r\n\r\n", request=True, size=128)
    assert (code, msg) == (2300008, "request head larger than 128 bytes")
    rb = RecvBuf(128)
    rb.feed(b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n")
    with pytest.raises(ProtoError) as e:
        http1srv.parse_request_head(rb, 1)
    assert e.value.message == "too many header lines (>1)"


def test_request_lone_cr_waits():
    rb = RecvBuf(64)
    rb.feed(b"\r")
    assert http1srv.parse_request_head(rb) is None
    rb.feed(b"\nGET / HTTP/1.1\r\n\r\n")
    assert http1srv.parse_request_head(rb) == ("GET", "/", 1, [])


# ---------------------------------------------------------------- writers


def test_request_head_writer():
    b = http1.request_head("GET", "/p?q=1", [("Host", "h"), ("Content-Length", 5), ("X-U", "caf\u00e9")])
    assert b == b"GET /p?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-U: caf\xc3\xa9\r\n\r\n"
    assert isinstance(b, bytes)
    assert http1.request_head("OPTIONS", "*", []) == b"OPTIONS * HTTP/1.1\r\n\r\n"
    assert http1.request_head("GET", "/", iter([("A", "")])) == b"GET / HTTP/1.1\r\nA: \r\n\r\n"


def test_response_head_writer():
    b = http1srv.response_head(200, "OK", [("Content-Length", "2")])
    assert b == b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
    assert http1srv.response_head(204, "", []) == b"HTTP/1.1 204 \r\n\r\n"


@pytest.mark.parametrize(
    "call",
    [
        lambda: http1.request_head("GET\r\n", "/", []),
        lambda: http1.request_head("GE T", "/", []),
        lambda: http1.request_head("", "/", []),
        lambda: http1.request_head(b"GET", "/", []),
        lambda: http1.request_head("GET", "/a\r\nX: y", []),
        lambda: http1.request_head("GET", "/a b", []),
        lambda: http1.request_head("GET", "/a\x00", []),
        lambda: http1.request_head("GET", "", []),
        lambda: http1.request_head("GET", None, []),
        lambda: http1.request_head("GET", "/", [("X", "a\r\nInjected: 1")]),
        lambda: http1.request_head("GET", "/", [("X", "a\nb")]),
        lambda: http1.request_head("GET", "/", [("X", "a\rb")]),
        lambda: http1.request_head("GET", "/", [("X", "a\x00b")]),
        lambda: http1.request_head("GET", "/", [("X\r\nY", "v")]),
        lambda: http1.request_head("GET", "/", [("X Y", "v")]),
        lambda: http1.request_head("GET", "/", [("X:", "v")]),
        lambda: http1.request_head("GET", "/", [("", "v")]),
        lambda: http1.request_head("GET", "/", [("X\u00e9", "v")]),
        lambda: http1.request_head("GET", "/", [("X", None)]),
        lambda: http1srv.response_head(200, "OK\r\nX: y", []),
        lambda: http1srv.response_head(99, "x", []),
        lambda: http1srv.response_head(1000, "x", []),
        lambda: http1srv.response_head("200", "x", []),
        lambda: http1srv.response_head(200, "OK", [("X", "a\nb")]),
    ],
)
def test_writers_reject_injection(call):
    with pytest.raises(ProtoError) as e:
        call()
    assert code_of(e.value) == 401


def test_writer_parser_round_trip():
    hs = [("Content-Type", "text/plain"), ("X-A", "1"), ("X-A", "2"), ("Content-Length", "3")]
    data = http1srv.response_head(200, "Fine", hs) + b"abc"
    m = one(data)
    assert m[:4] == (200, "Fine", 1, [(k.lower(), v) for k, v in hs]) and m[4] == b"abc"
    data = http1.request_head("POST", "/x", hs) + b"abc"
    msgs, out = both(data, request=True)
    assert msgs[0][:3] == ("POST", "/x", 1) and msgs[0][4] == b"abc"


def test_body_reader_want_took_length():
    # bytes read past rb are accounted with took(); want() never offers more than the body
    rb = RecvBuf(64)
    br = http1body.BodyReader(LENGTH, 10)
    assert br.want() == 10
    br.took(4)
    assert br.want() == 6 and not br.done
    with pytest.raises(ProtoError):
        br.took(7)  # beyond the body
    with pytest.raises(ProtoError):
        br.took(0)
    br.took(6)
    assert br.done and br.want() == 0 and br.read(rb) is None
    br.eof()  # complete: no error


def test_body_reader_want_took_chunked():
    # want() is 0 while framing is next, the chunk's rest inside data; after took() of the
    # whole chunk the CRLF and the next size line go through rb again
    rb = RecvBuf(64)
    br = http1body.BodyReader(CHUNKED)
    assert br.want() == 0
    rb.feed(b"a\r\n012")
    assert br.read(rb) is not None  # '012' came with the size line
    assert br.want() == 7
    br.took(7)
    assert br.want() == 0
    rb.feed(b"\r\n0\r\n\r\n")
    assert br.read(rb) is None and br.done


def test_body_reader_want_took_close_and_early_eof():
    br = http1body.BodyReader(CLOSE)
    assert br.want() == -1
    br.took(100000)  # unbounded until the peer closes
    br.eof()
    assert br.done
    br = http1body.BodyReader(LENGTH, 10)
    br.took(3)
    with pytest.raises(ProtoError) as e:
        br.eof()
    assert code_of(e.value) == 2300018 and "3 of 10" in str(e.value)


def test_has_token():
    H = [("connection", "keep-alive, Upgrade"), ("x", "close"), ("connection", "foo")]
    assert http1.has_token(H, "connection", "upgrade")
    assert http1.has_token(H, "connection", "keep-alive")
    assert http1.has_token(H, "connection", "foo")
    assert not http1.has_token(H, "connection", "close")
    assert http1.has_token([("connection", "Close")], "connection", "close")
    assert http1.has_token([("connection", " close ,x")], "connection", "close")
    assert not http1.has_token([("connection", "closed")], "connection", "close")
    assert not http1.has_token([], "connection", "close")
