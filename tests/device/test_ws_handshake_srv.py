# The webSocket server's handshake without proto/http1: a clean upgrade request is parsed
# by proto/wssrv itself and the 101 written there, so a server process does not load the
# HTTP/1.1 parser (its heap, its names); any other request goes through http1srv, loaded
# then, with the same answers (400 for a bad head, 101 for a good one of another shape).
# include: ws_raw_support
import sys

import netstack
from netstack import _port

_ACC = b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"


def _ask(p, head):
    # a raw client: head out, the server's answer head back (up to its blank line or EOF)
    c = Raw(p, 0, True, 512)
    c.s.send(head)
    got = bytearray()

    def f():
        try:
            r = c.s.recv(512)
        except OSError:
            return False
        if not r:
            return True
        got.extend(r)
        return b"\r\n\r\n" in got
    until(f)
    c.s.close()
    return bytes(got)


def _http1():
    return [k for k in sys.modules if "http1" in k]


def test_clean_request_without_http1():
    assert not _http1(), _http1()  # (nothing of the test's loaded it)
    srv, ev, p = server()
    a = _ask(p, _UP)
    assert a.startswith(b"HTTP/1.1 101 Switching Protocols\r\n") and _ACC in a, a
    # a client of another library: more headers, mixed case, an extension offer
    a = _ask(p, b"GET /chat?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nUser-Agent: t/1.0\r\n"
                b"upgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n"
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
    assert a.startswith(b"HTTP/1.1 101 ") and _ACC in a and b"permessage-deflate" in a, a
    a = _ask(p, _UP.replace(b"Version: 13", b"Version: 8"))
    assert a.startswith(b"HTTP/1.1 426 Upgrade Required\r\n"), a
    assert b"Sec-WebSocket-Version: 13\r\n" in a, a
    assert not _http1(), _http1()
    # the others, through http1srv: a bad head (obsolete line folding) -> 400; a good one
    # with LF line ends -> 101
    a = _ask(p, _UP.replace(b"Host: x\r\n", b"Host: x\r\n y\r\n"))
    assert a.startswith(b"HTTP/1.1 400 Bad Request\r\n"), a
    assert "netstack.proto.http1srv" in sys.modules
    a = _ask(p, _UP.replace(b"\r\n", b"\n"))
    assert a.startswith(b"HTTP/1.1 101 ") and _ACC.replace(b"\r\n", b"") in a, a
    until(lambda: len([e for e in ev if e[0] == "close"]) == 3)
    netstack.run(srv.stop())


test_clean_request_without_http1()
print("OK")
