# Property tests for the WebSocket protocol code (hypothesis, bounded budget: whole file
# well under 20 s): the frame parser, the UTF-8 validator (the plain-Python reference and
# the native module's viper source run as Python, against CPython's strict decoder) and the
# handshake / extension parsers.
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import micropython  # the CPython shim's: viper is a no-op decorator there
from netstack.proto import http1srv, ws, wshs, wssrv, wspmd, ProtoError
from netstack.proto import RecvBuf
from netstack.proto import wsref


def _viper_source():
    # ports/native's wsmask, its viper functions run as plain Python (annotations: ints)
    path = os.path.join(os.path.dirname(__file__), "..", "..", "ports", "native", "netstack",
                        "proto", "wsmask.py")
    env = {"micropython": micropython, "ptr8": int}
    exec(compile(open(path).read(), path, "exec"), env)
    return env


VIPER = _viper_source()

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def cut(data, points):
    n = len(data)
    ps = sorted(set(p % (n + 1) for p in points))
    out, i = [], 0
    for p in ps:
        out.append(data[i:p])
        i = p
    out.append(data[i:])
    return [p for p in out if p]


def parse(pieces, client, max_size=4096, codec=None):
    p = ws.Parser(client, max_size, codec)
    rb = RecvBuf(256)
    evs = []
    steps = 0
    try:
        for piece in pieces:
            i = 0
            while True:
                ev = p.next(rb)
                steps += 1
                assert steps < 100000, "parser does not make progress"
                if ev is not None:
                    if ev[0] >= 0 or client:  # (a server's (-1, n): next() again)
                        evs.append(ev)
                    continue
                if i >= len(piece):
                    break
                room = len(rb.space())
                assert room, "parser stalls with a full buffer"
                rb.feed(piece[i : i + room])
                i += room
        while True:
            ev = p.next(rb)
            if ev is None:
                break
            if ev[0] >= 0 or client:
                evs.append(ev)
        return evs, None
    except ws.ProtocolError as e:
        assert e.code in (1002, 1007, 1009), e.code
        return evs, e.code


@SETTINGS
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=8), st.booleans())
def test_junk_frames(data, points, client):
    # any bytes: only ProtocolError, and the same outcome however the bytes are split
    whole = parse([data], client)
    assert parse(cut(data, points), client) == whole
    assert parse([data[i : i + 1] for i in range(len(data))], client) == whole


def _frame(op, payload, fin, key):
    hb = bytearray(14)
    n = ws.head(hb, op, len(payload), fin, key)
    out = bytearray(hb[:n]) + payload
    if key is not None:
        wsref.mask(out, n, len(out), key, 0)
    return bytes(out)


@st.composite
def messages(draw):
    """A valid frame stream: messages in fragments with control frames between."""
    msgs = draw(st.lists(st.one_of(st.text(max_size=40).map(lambda s: (ws.TEXT, s.encode())),
                                   st.binary(max_size=300).map(lambda b: (ws.BINARY, b))),
                         max_size=5))
    out, want = [], []
    for op, data in msgs:
        cuts = sorted(set(draw(st.lists(st.integers(0, len(data)), max_size=3))))
        parts = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
        for j, part in enumerate(parts):
            out.append((op if j == 0 else ws.CONT, part, j == len(parts) - 1))
            if j < len(parts) - 1 and draw(st.booleans()):
                out.append((ws.PING, draw(st.binary(max_size=125)), True))
                want.append((ws.PING, out[-1][1]))
        want.append((op, data.decode() if op == ws.TEXT else data))
    return out, want


@SETTINGS
@given(messages(), st.lists(st.integers(0, 5000), max_size=10), st.booleans(),
       st.binary(min_size=4, max_size=4))
def test_valid_streams_round_trip(ms, points, client, key):
    frames, want = ms
    data = b"".join(_frame(op, p, fin, None if client else key) for op, p, fin in frames)
    assert parse(cut(data, points), client) == (want, None)


@SETTINGS
@given(st.binary(max_size=64), st.lists(st.integers(0, 64), max_size=4))
def test_utf8_validator_against_cpython(data, points):
    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    for v in (wsref.utf8, VIPER["utf8"]):
        assert (v(data, 0, len(data), 0) == 0) == valid
        state = 0
        ps = sorted(set(p % (len(data) + 1) for p in points)) + [len(data)]
        a = 0
        for b in ps:
            state = v(data, a, b, state)
            if state < 0:
                break
            a = b
        assert (state == 0) == valid


def plain_xor(buf, a, b, key, k):
    """mask() one byte at a time: the plainest statement of RFC 6455's masking (the
    oracle; lib/ carries no test-only code)."""
    for i in range(a, b):
        buf[i] ^= key[(k + i - a) & 3]


@SETTINGS
@given(st.binary(max_size=4), st.integers(0, 3), st.binary(max_size=50))
def test_mask_fast_path_matches_byte_loop(key, k, data):
    key = (key + b"\x01\x02\x03\x04")[:4]
    a, b = bytearray(data), bytearray(data)
    wsref.mask(a, 0, len(a), key, k)
    plain_xor(b, 0, len(b), key, k)
    assert a == b


_names = st.sampled_from(["upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
                          "host", "sec-websocket-accept", "sec-websocket-protocol",
                          "sec-websocket-extensions", "x"])
_vals = st.one_of(st.text(max_size=30), st.sampled_from(
    ["websocket", "Upgrade", "13", "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
     "permessage-deflate; client_max_window_bits", "chat"]))


@SETTINGS
@given(st.lists(st.tuples(_names, _vals), max_size=8), st.sampled_from(["GET", "POST"]),
       st.integers(0, 1), st.integers(100, 599))
def test_handshake_checks(headers, method, minor, status):
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    try:
        k, protos, ext = wssrv.check_request(method, "/", minor, headers)
        assert len(k) == 24
        wspmd.accept_offer(ext)
    except wshs.HandshakeError as e:
        assert e.code in (400, 426)
    try:
        proto, ext = wshs.check_response(status, headers, key, "chat")
        assert status == 101
        wspmd.accept_response(ext)
    except wshs.HandshakeError as e:
        assert e.code == status
    except ValueError:
        pass


@SETTINGS
@given(st.binary(max_size=300))
def test_upgrade_request_bytes(data):
    # raw bytes through http1srv's request head parser and the upgrade check
    rb = RecvBuf(256)
    try:
        rb.feed(data[:256])
        h = http1srv.parse_request_head(rb)
        if h is not None:
            wssrv.check_request(*h)
    except wshs.HandshakeError as e:
        assert e.code in (400, 426)
    except ProtoError as e:  # http1 raises ProtoError with a status to answer; nothing else
        assert e.status in (400, 431), (e.kind, e.status, e.message)


def _parse(f, data, size=256):
    # f over data in a RecvBuf -> (its result, what is left in rb) or the error's kind
    rb = RecvBuf(size)
    rb.feed(data[:size])
    try:
        return f(rb), bytes(rb.buf[rb.start:rb.end])
    except ProtoError as e:
        return ("ProtoError", e.status)


_hnames = st.one_of(st.sampled_from(["Host", "Upgrade", "Connection", "Sec-WebSocket-Key",
                                     "sec-websocket-version", "X-A", "x_b", "X A", " Host",
                                     "Host ", "", "a1"]),
                    st.text("ab-_:1 \t\r\n\x00\xe9", max_size=6))
_hvals = st.one_of(st.sampled_from(["websocket", " Upgrade ", "13", "dGhlIHNhbXBsZSBub25jZQ==",
                                    "x\ty", ""]),
                   st.text("ab, \t\r\n\x00\xe9\U0001f600", max_size=8))
_lines = st.lists(st.tuples(_hnames, _hvals), max_size=6)


@SETTINGS
@given(st.sampled_from(["GET / HTTP/1.1", "GET /p?q=1 HTTP/1.1", "GET  / HTTP/1.1",
                        "GET / HTTP/1.0", "POST / HTTP/1.1", "GET /\x7f HTTP/1.1",
                        "\r\nGET / HTTP/1.1", "GET /\xe9 HTTP/1.1", "GET HTTP/1.1"]),
       _lines, st.sampled_from(["\r\n", "\n"]), st.sampled_from([b"", b"\x81\x80abcd"]),
       st.integers(0, 300))
def test_upgrade_request_parse_as_http1(line, headers, eol, tail, cut_at):
    # wssrv.request parses a clean upgrade request itself (no proto/http1 in a server) and
    # hands any other to http1srv: its result, the bytes it leaves and its errors are
    # http1srv's for every head, whole or cut
    head = (line + eol + "".join(k + ":" + v + eol for k, v in headers) + eol).encode()
    data = (head + tail)[:cut_at] if cut_at < len(head) else head + tail
    assert _parse(wssrv.request, data) == _parse(http1srv.parse_request_head, data), data


@SETTINGS
@given(st.binary(max_size=300))
def test_upgrade_request_bytes_as_http1(data):
    assert _parse(wssrv.request, data) == _parse(http1srv.parse_request_head, data), data


def test_upgrade_heads_as_http1():
    # the 101 and the refusals, written by wssrv itself: http1srv.response_head's bytes
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    acc = wshs.accept_value(key)
    for proto, ext in ((None, None), ("chat", None), (None, "permessage-deflate"),
                       ("chat", "permessage-deflate; server_max_window_bits=12")):
        hs = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", acc)]
        if proto:
            hs.append(("Sec-WebSocket-Protocol", proto))
        if ext:
            hs.append(("Sec-WebSocket-Extensions", ext))
        assert wssrv.response(key, proto, ext) == \
            http1srv.response_head(101, "Switching Protocols", hs)
    for status, reason in wssrv._REASONS.items():
        hs = [("Content-Length", "0"), ("Connection", "close")]
        if status == 426:
            hs.append(("Sec-WebSocket-Version", "13"))
        assert wssrv.reject(status) == http1srv.response_head(status, reason, hs)


@SETTINGS
@given(st.text(max_size=80))
def test_extension_parsers(value):
    wspmd.parse(value)
    wspmd.accept_offer(value)
    try:
        wspmd.accept_response(value)
    except ValueError:
        pass


def _both(fn, *a):
    try:
        return fn(*a)
    except ProtoError as e:
        return ("error", e.message)


def _split_http1(url):
    from netstack.proto import http1
    u = http1.split_url(url)
    return u[:4] + (http1.host_header(u[1], u[2], u[0]),)


_url_parts = st.lists(st.sampled_from(["ws", "wss", "WS", "://", "h", "H.x", ":", "80", "443",
                                       "0", "65536", "/", "?", "#", "@", "[", "]", "::1", " ",
                                       "\u00e9", "\x7f", "a-b"]), max_size=10)


@SETTINGS
@given(_url_parts)
def test_wshs_split_as_http1(parts):
    # the client's plain URL path (proto/wshs): what http1's split_url and host_header say
    url = "".join(parts)
    assert _both(wshs.split, url) == _both(_split_http1, url)


_head_parts = st.lists(st.sampled_from([b"HTTP/1.1 101", b"HTTP/1.1 101 OK", b"HTTP/1.0 101",
                                        b"HTTP/1.1 200", b"\r\n", b"\n", b"\r", b":", b" ",
                                        b"\t", b"Upgrade", b"x-y", b"x_y", b"websocket", b"\x00",
                                        b"\xc3\xa9", b"\xff", b"\r\n\r\n"]), max_size=14)


@SETTINGS
@given(_head_parts, st.integers(0, 5))
def test_wshs_response_as_http1(parts, step):
    # the client's plain 101 path (proto/wshs): http1.parse_response_head's answer, whole
    # or fed in pieces, and the same bytes consumed
    from netstack.proto import http1
    data = b"".join(parts)

    def run(fn):
        rb = RecvBuf(256)
        i = 0
        while True:
            k = step or len(data)
            rb.feed(data[i:i + k])
            i += k
            r = _both(fn, rb)
            if r is not None or i >= len(data):
                return r, rb.start, rb.end

    def old(rb):
        h = http1.parse_response_head(rb)
        return None if h is None else (h[0], h[3])
    assert run(wshs.response) == run(old)
