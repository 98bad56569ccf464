# netstack.webSocket server, driven by netstack's own client (and a raw socket for bad
# clients), in one process: one module for both runtimes (tests/host/test_ws_server.py
# runs the same test_* functions on CPython).
import gc
import socket

import netstack
from netstack import webSocket, _port, _ws_server
from netstack._err import BusinessError

_PORT = [24000 + (_port.random_bytes(2)[0] << 4)]


def roomy():
    # client and server share this heap here: at 110k two client+server pairs do not fit
    # (each pair costs ~11.5 KB on the x64 unix port), so tight heaps use one client
    gc.collect()
    return not hasattr(gc, "mem_free") or gc.mem_free() > 60000


def port():
    _PORT[0] += 1
    return _PORT[0]


async def _nop():
    pass


def wait(ev, names, ms=8000):
    async def w():
        t = 0
        while t < ms:
            for e in ev:
                if e[0] in names:
                    return e
            await _port.sleep_ms(5)
            t += 5
        raise AssertionError("no %s event within %d ms: %r" % (names, ms, ev))
    return netstack.run(w())


def code(aw):
    try:
        netstack.run(aw)
    except BusinessError as e:
        return e.code
    raise AssertionError("no BusinessError")


def server(cfg=None, echo=True):
    srv = webSocket.createWebSocketServer()
    ev = []
    for name in ("connect", "messageReceive", "close", "error"):
        srv.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
    if echo:
        srv.on("messageReceive", lambda m: srv.send(m["data"], m["clientConnection"],
                                                     lambda e, d: None))
    p = port()
    c = {"serverIP": "127.0.0.1", "serverPort": p}
    c.update(cfg or {})
    assert netstack.run(srv.start(c)) is True
    return srv, ev, p


def idle(srv, ms=3000):
    """Wait until the server's side of every connection is gone too."""
    async def w():
        t = 0
        while (srv._conns) and t < ms:
            await _port.sleep_ms(10)
            t += 10
    netstack.run(w())


def client(p, path="/"):
    ws = webSocket.createWebSocket()
    ev = []
    for name in ("open", "message", "close", "error"):
        ws.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
    netstack.run(ws.connect("ws://127.0.0.1:%d%s" % (p, path)))
    return ws, ev


def test_echo_list_close_stop():
    two = roomy()
    srv, sev, p = server()
    a, aev = client(p)
    wait(aev, ("open",))
    b, bev = client(p) if two else (a, aev)
    wait(bev, ("open",))
    netstack.run(a.send("héllo"))
    wait(aev, ("message",))
    netstack.run(b.send(bytes(range(200))))
    want = 1 if two else 2

    async def w():
        t = 0
        while len([e for e in bev if e[0] == "message"]) < want and t < 8000:
            await _port.sleep_ms(5)
            t += 5
    netstack.run(w())
    assert [e[1] for e in aev if e[0] == "message"][0] == "héllo"
    assert bytes([e[1] for e in bev if e[0] == "message"][-1]) == bytes(range(200))
    conns = srv.listAllConnections()
    assert len(conns) == (2 if two else 1) and conns[0]["clientIP"] == "127.0.0.1", conns
    assert len([e for e in sev if e[0] == "connect"]) == len(conns)
    if not two:  # the close by the server below ends the one client
        b, bev = None, None
    m = [e[1] for e in sev if e[0] == "messageReceive"][0]
    assert m["data"] == "héllo" and m["clientConnection"] in conns
    netstack.run(srv.close(m["clientConnection"], {"code": 4002, "reason": "go"}))
    assert wait(aev, ("close",))[1] == {"code": 4002, "reason": "go"}
    c = wait(sev, ("close",))
    assert c[1] == m["clientConnection"] and c[2]["code"] == 4002, c
    assert code(srv.send("x", m["clientConnection"])) == 2302006
    assert code(srv.close({"clientIP": "1.2.3.4", "clientPort": 1})) == 2302006
    for call in ((srv.send, 3.5, m["clientConnection"]),
                 (srv.close, m["clientConnection"], {"reason": 5})):
        try:  # bad arguments: 401 at the call
            call[0](*call[1:])
            raise AssertionError(call)
        except BusinessError as e:
            assert e.code == 401
    assert netstack.run(srv.stop()) is True
    if b is not None:  # (a tight heap has had its one client closed above)
        assert wait(bev, ("close",))[1]["code"] == 1001
    assert srv.listAllConnections() == []


def test_start_errors():
    srv = webSocket.createWebSocketServer()
    assert code(srv.start({"serverIP": "999.1.1.1", "serverPort": port()})) == 2302004
    assert code(srv.start({"serverIP": "127.0.0.1", "serverPort": 70000})) == 2302005
    for bad in (None, {"serverPort": port(), "maxConcurrentClientsNumber": 11},
                {"serverPort": port(), "protocol": 5}):
        try:  # bad arguments: 401 at the call
            srv.start(bad)
            raise AssertionError(bad)
        except BusinessError as e:
            assert e.code == 401, bad
    assert code(srv.start({"serverPort": port(), "serverCert": {
        "certPath": "/nonexistent.pem", "keyPath": "/nonexistent.key"}})) == 2302002
    s1, _, p = server()
    assert code(webSocket.createWebSocketServer().start(
        {"serverIP": "127.0.0.1", "serverPort": p})) == 2302007
    assert code(s1.start({"serverPort": port()})) == 2302999  # already started
    netstack.run(s1.stop())
    assert code(s1.stop()) == 2302999


_UP = (b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")


def test_limits_and_ban():
    n = 2 if roomy() else 1
    srv, sev, p = server({"maxConcurrentClientsNumber": n, "maxConnectionsForOneClient": 2})
    a, aev = client(p)
    wait(aev, ("open",))
    b, bev = client(p) if n == 2 else (a, aev)
    wait(bev, ("open",))
    # one more (a plain socket: light enough for a 110k heap with the server in it)
    out, t = raw(p, _UP, head_only=True)
    assert out.startswith(b"HTTP/1.1 503 "), out
    netstack.run(srv.stop())
    wait(aev, ("close",))
    wait(bev, ("close",))
    a = b = aev = bev = None
    gc.collect()
    srv, sev, p = server({"antiAbuse": {"count": 3, "windowMs": 60000, "banMs": 60000}})
    for i in range(5):  # plain sockets: light enough for a 110k heap with the server in it
        out, t = raw(p, _UP, head_only=True)
        want = b"HTTP/1.1 101 " if i < 3 else b"HTTP/1.1 403 "
        assert out.startswith(want), (i, out)
        idle(srv)
    netstack.run(srv.stop())


def raw(p, data, ms=3000, head_only=False):
    """Send data on a plain socket, read until the server closes (or, head_only, until the
    end of its answer's head) -> (what it answered, ms taken)."""
    async def go():
        s = socket.socket()
        s.connect(socket.getaddrinfo("127.0.0.1", p)[0][-1])
        s.setblocking(False)
        if data:
            s.send(data)
        out = b""
        t = 0
        while t < ms:
            try:
                r = s.recv(512)
            except OSError:
                r = None
            if r == b"":
                break
            if r:
                out += r
                if head_only and b"\r\n\r\n" in out:
                    break
            await _port.sleep_ms(10)
            t += 10
        s.close()
        return out, t
    return netstack.run(go())


def test_send_to_another_connection():
    # a listener that relays each message to the other connection and answers its sender
    # through a copy of its connection object (equal, not the same): send() must find each
    # connection's own session, not the one delivering the message. The second client is a
    # plain socket (light enough for a 110k heap with the server in it)
    srv, sev, p = server(echo=False)

    def relay(m):
        c = m["clientConnection"]
        for o in srv.listAllConnections():
            if o is not c:
                srv.send("to other: " + m["data"], o)
        srv.send("back: " + m["data"], dict(c))

    srv.on("messageReceive", relay)
    a, aev = client(p)
    wait(aev, ("open",))

    async def up():
        s = socket.socket()
        s.connect(socket.getaddrinfo("127.0.0.1", p)[0][-1])
        s.setblocking(False)
        s.send(_UP)
        return s

    b = netstack.run(up())
    got = []

    def frame(text):  # a client's text frame (masked with a zero key: the bytes as they are)
        d = text.encode()
        return bytes((0x81, 0x80 | len(d), 0, 0, 0, 0)) + d

    async def read_b(want):
        buf = b""
        t = 0
        while t < 8000:
            try:
                r = b.recv(512)
            except OSError:
                r = None
            if r:
                buf += r
            i = buf.find(b"\r\n\r\n")
            if i >= 0:  # (the 101 head first)
                assert buf.startswith(b"HTTP/1.1 101 "), buf
                buf = buf[i + 4:]
            while len(buf) >= 2 and len(buf) >= 2 + buf[1] and buf[0] == 0x81:
                got.append(str(buf[2:2 + buf[1]], "utf-8"))
                buf = buf[2 + buf[1]:]
            if len(got) >= want:
                return
            await _port.sleep_ms(10)
            t += 10
        raise AssertionError("plain client got %r" % got)

    b.send(frame("from b"))
    netstack.run(read_b(1))
    wait(aev, ("message",))
    assert got == ["back: from b"], got
    assert [e[1] for e in aev if e[0] == "message"] == ["to other: from b"], aev
    netstack.run(a.send("from a"))
    netstack.run(read_b(2))
    assert got[1] == "to other: from a", got

    async def two():
        t = 0
        while len([e for e in aev if e[0] == "message"]) < 2 and t < 8000:
            await _port.sleep_ms(5)
            t += 5
    netstack.run(two())
    assert [e[1] for e in aev if e[0] == "message"][1] == "back: from a", aev
    b.close()
    netstack.run(srv.stop())
    wait(aev, ("close",))


def test_bad_and_slow_clients():
    hs = _ws_server.HANDSHAKE_MS
    _ws_server.HANDSHAKE_MS = 400
    try:
        srv, sev, p = server()
        out, t = raw(p, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 426 "), out
        out, t = raw(p, b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: "
                        b"Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 400 "), out
        out, t = raw(p, b"GET / HTTP/1.1\r\nX: " + b"a" * 1500 + b"\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 431 "), out
        out, t = raw(p, b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: "
                        b"Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                        b"dGhlIHNhbXBsZSBub25jZQ==\r\nX-Pad: " + b"a" * 600 + b"\r\n\r\n",
                     head_only=True)
        assert out.startswith(b"HTTP/1.1 101 "), out  # a head over the first 512-byte buffer
        out, t = raw(p, b"GET / HTTP/1.1\r\n")  # slowloris: never finishes its head
        assert out == b"" and t < 2500, t
        assert srv.listAllConnections() == []
        netstack.run(srv.stop())
    finally:
        _ws_server.HANDSHAKE_MS = hs


def test_message_listeners():
    # The read loop calls a server's messageReceive listener itself: the usual single one
    # (each reply through send()), one that raises (reported as a messageReceive callback's
    # error; the session goes on), none (the message is dropped), a once listener, two
    # listeners (Emitter's way)
    from netstack import _err
    srv = webSocket.createWebSocketServer()
    srv.on("connect", lambda c: None)  # (listeners, none of them for messageReceive)
    p = port()
    assert netstack.run(srv.start({"serverIP": "127.0.0.1", "serverPort": p})) is True
    a, aev = client(p)
    wait(aev, ("open",))
    got = []

    def one(m):
        got.append(m["data"])
        if m["data"] == "boom":
            raise RuntimeError("boom")
        srv.send("re: " + m["data"], m["clientConnection"])

    def replies(n):
        async def w():
            t = 0
            while len([e for e in aev if e[0] == "message"]) < n and t < 8000:
                await _port.sleep_ms(5)
                t += 5
        netstack.run(w())
        return [e[1] for e in aev if e[0] == "message"]

    async def nap():
        await _port.sleep_ms(200)
    netstack.run(a.send("lost"))
    netstack.run(nap())  # (the server reads it meanwhile: this loop runs both)
    srv.on("messageReceive", one)
    netstack.run(a.send("x"))
    assert replies(1) == ["re: x"] and got == ["x"], (aev, got)
    reports = []
    _err.hook = lambda e, where: reports.append((where, type(e).__name__, str(e)))
    try:
        netstack.run(a.send("boom"))
        netstack.run(a.send("y"))
        assert replies(2) == ["re: x", "re: y"], aev
    finally:
        _err.hook = None
    assert reports == [("messageReceive", "RuntimeError", "boom")], reports
    srv.off("messageReceive", one)
    srv.once("messageReceive", one)
    netstack.run(a.send("z"))
    assert replies(3)[-1] == "re: z", aev
    netstack.run(a.send("lost again"))  # (the once listener is gone)
    netstack.run(nap())
    two = []
    srv.on("messageReceive", one)
    srv.on("messageReceive", lambda m: two.append(m["data"]))
    netstack.run(a.send("v"))
    assert replies(4)[-1] == "re: v" and two == ["v"], (aev, two)
    assert got == ["x", "boom", "y", "z", "v"], got
    netstack.run(srv.stop())
    wait(aev, ("close",))


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
        gc.collect()
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()

