# netstack.proto.wshs's client handshake without proto/http1 (split, request, response):
# for every URL and head below the same answer (or the same ProtoError text) as http1's
# split_url + host_header, request_head and parse_response_head, whole and byte by byte;
# the plain forms touch nothing of http1. One module for both runtimes (as
# test_proto_wspmd.py): tools/devtest.py runs it on MicroPython, tests/host/test_proto_wshs.py
# under pytest.
import gc

import netstack.proto as P
from netstack.proto import http1, wshs, RecvBuf, ProtoError

URLS = ["ws://h/", "ws://h", "wss://Echo.Example:8443/p?q=1&r", "ws://127.0.0.1:9001",
        "ws://h:80/x", "wss://h:443", "wss://h:80/", "ws://h:00080/", "ws://h:0/",
        "ws://h:65535/", "ws://h:65536/", "ws://h:123456/", "ws://h:/", "ws://:80/",
        "ws:///x", "ws://h:x/", "ws://h?q", "ws://h/p#f", "ws://h#f", "ws://u:p@h/",
        "ws://[::1]:9/", "ws://[::1]/", "ws://h]/", "ws://h[/", "WS://H/", "Wss://h/",
        "http://h/", "ws:/h", "ws//x", "", "ws://", "ws://h /", "ws://h/\x7f",
        "ws://h\u00e9/", "ws://h/\u00e9", "ws://h/\t", "ws://h:\u0661/", "ws://a.b-c.d:1/e/f",
        "wss", "ws:", "xws://h/"]


def _old_split(u):
    try:
        r = http1.split_url(u)
        return r[:4] + (http1.host_header(r[1], r[2], r[0]),)
    except ProtoError as e:
        return ("error", e.message)


def test_split_as_http1():
    for u in URLS:
        try:
            got = wshs.split(u)
        except ProtoError as e:
            got = ("error", e.message)
        assert got == _old_split(u), (u, got, _old_split(u))


def test_request_as_http1():
    key = wshs.client_key(b"0123456789abcdef")
    tail = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"
    for offer in (None, wshs.deflate_offer(10)):
        hs = [("Host", "h:81"), ("Sec-WebSocket-Key", key)]
        if offer:
            hs.append(("Sec-WebSocket-Extensions", offer))
        old = http1.request_head("GET", "/p?q=1", hs)[:-2].decode() + tail
        # the handshake's own names among the extra headers are dropped: still the plain head
        assert wshs.request("h:81", "/p?q=1", key, None, [("Upgrade", "x"), ("HOST", "y")],
                            offer) == old
    r = wshs.request("h", "/", key, "chat", [("X-A", "1")], None)
    assert r.startswith("GET / HTTP/1.1\r\nHost: h\r\nSec-WebSocket-Key: ")
    assert "\r\nSec-WebSocket-Protocol: chat\r\nX-A: 1\r\nUpgrade: websocket\r\n" in r
    for bad in ([("X-A", "1\r\nInjected: 1")], [("X A", "1")]):  # http1 checks what is given
        try:
            wshs.request("h", "/", key, None, bad, None)
            raise AssertionError(bad)
        except ProtoError:
            pass


ACC = b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
HEADS = [
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + ACC
    + b"Date: Mon, 07 Dec 2026 03:00:00 GMT\r\nServer: Python/3.12 websockets/14.1\r\n\r\n",
    b"HTTP/1.1 101\r\nupgrade:websocket\r\nCONNECTION:  upgrade \t\r\nX-Empty:\r\n\r\n",
    b"HTTP/1.1 101 \r\nA: 1\r\nA: 2\r\nX-z: \xc3\xa9\r\nX-9: 1\r\n\r\n",
    b"HTTP/1.1 101 OK\r\nX_Y: 1\r\nx.y: 2\r\n\r\n",     # other token chars: http1's
    b"HTTP/1.1 101 OK\r\nX: \xff\r\n\r\n",               # not UTF-8: byte by byte (http1)
    b"HTTP/1.1 101 OK\r\nX : 1\r\n\r\n",                 # bad: whitespace before ':'
    b"HTTP/1.1 101 OK\r\n folded\r\n\r\n",               # bad: obsolete folding
    b"HTTP/1.1 101 OK\r\nnocolon\r\n\r\n",
    b"HTTP/1.1 101 OK\r\n: v\r\n\r\n",
    b"HTTP/1.1 101 OK\nUpgrade: websocket\n\n",          # bare LF
    b"HTTP/1.1 101 OK\r\nA: 1\n\r\n",                    # mixed
    b"HTTP/1.1 101 OK\r\nA: 1\r\r\n\r\n",
    b"HTTP/1.1 101 OK\r\nA: \r1\n\r\n",                  # a lone CR and a bare LF
    b"HTTP/1.1 101 OK\r\nA: a\x00b\r\n\r\n",
    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.0 101 OK\r\nA: 1\r\n\r\n",
    b"HTTP/1.1 1011 X\r\n\r\n",
    b"HTTP/1.1 101X\r\n\r\n",
    b"HTTP/2 101\r\n\r\n",
    b"\r\n\r\n",
    b"HTTP/1.1 101 OK\r\n" + b"A: 1\r\n" * 64 + b"\r\n",
    b"HTTP/1.1 101 OK\r\n" + b"A: 1\r\n" * 65 + b"\r\n",  # over MAX_HEADERS
]


def _parse(fn, data, step):
    # fn over data fed step bytes at a time (0: whole) -> (result, the bytes left in rb)
    rb = RecvBuf(2048)
    i = 0
    try:
        while True:
            k = step or len(data)
            rb.feed(data[i : i + k])
            i += k
            r = fn(rb)
            if r is not None or i >= len(data):
                return r, bytes(rb.mv[rb.start : rb.end]) + data[i:]
    except ProtoError as e:
        return ("error", e.message), None


def _old(rb):
    h = http1.parse_response_head(rb)
    return None if h is None else (h[0], h[3])


def test_response_as_http1():
    for h in HEADS:
        for data in (h, h + b"\x81\x02hi"):  # a frame right behind the head stays in rb
            for step in (0, 1, 7):
                a = _parse(wshs.response, data, step)
                assert a == _parse(_old, data, step), (data, step, a)


class _No:  # stands in for proto.http1: a plain handshake must not touch it
    def __getattr__(self, n):
        raise AssertionError("http1." + n)


def test_plain_handshake_without_http1():
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    real = P.http1
    P.http1 = _No()
    try:
        assert wshs.split("wss://Echo.Example:8443/p?q") == (
            "wss", "echo.example", 8443, "/p?q", "echo.example:8443")
        assert wshs.split("ws://10.0.0.1") == ("ws", "10.0.0.1", 80, "/", "10.0.0.1")
        r = wshs.request("h", "/", key, None, [("Connection", "x")], wshs.deflate_offer())
        assert r.startswith("GET / HTTP/1.1\r\nHost: h\r\n")
        rb = RecvBuf(512)
        rb.feed(HEADS[0][:40])
        assert wshs.response(rb) is None
        rb.feed(HEADS[0][40:] + b"\x81\x00")
        st, hs = wshs.response(rb)
        assert st == 101 and hs[0] == ("upgrade", "websocket") and len(hs) == 5
        assert wshs.check_response(st, hs, key) == ("", "")
        assert bytes(rb.mv[rb.start : rb.end]) == b"\x81\x00"
    finally:
        P.http1 = real


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
        gc.collect()
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
