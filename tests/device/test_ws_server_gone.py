# The webSocket server's send() keeps the session it last found (the one whose message is
# being delivered, first): a messageReceive listener that sends to a connection closed
# meanwhile (2302006 through its callback) and then replies to its sender must reach the
# sender, and the next reply too. (A script of its own: test_ws_server.py's fill 110k.)
import netstack
from netstack import webSocket, _port

_PORT = [25000 + (_port.random_bytes(2)[0] << 4)]


def wait(ev, name, n=1, ms=8000):
    async def w():
        t = 0
        while t < ms:
            got = [e for e in ev if e[0] == name]
            if len(got) >= n:
                return got
            await _port.sleep_ms(5)
            t += 5
        raise AssertionError("no %d %s event(s) within %d ms: %r" % (n, name, ms, ev))
    return netstack.run(w())


def client(p):
    ws = webSocket.createWebSocket()
    ev = []
    for name in ("open", "message", "close", "error"):
        ws.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
    netstack.run(ws.connect("ws://127.0.0.1:%d/" % p))
    wait(ev, "open")
    return ws, ev


def test_send_to_a_gone_connection_then_reply():
    srv = webSocket.createWebSocketServer()
    sev = []
    srv.on("close", lambda *a: sev.append(("close",) + a))
    kept = []
    results = []

    def lst(m):
        if kept:
            srv.send("to gone", kept[0], lambda e, d: results.append(e.code if e else d))
        else:
            kept.append(m["clientConnection"])
        srv.send("re: " + m["data"], m["clientConnection"],
                 lambda e, d: results.append(e.code if e else d))

    srv.on("messageReceive", lst)
    p = _PORT[0]
    assert netstack.run(srv.start({"serverIP": "127.0.0.1", "serverPort": p})) is True
    a, aev = client(p)
    netstack.run(a.send("a"))
    assert wait(aev, "message")[0][1] == "re: a"
    netstack.run(a.close())
    wait(sev, "close")
    b, bev = client(p)
    netstack.run(b.send("b"))
    assert wait(bev, "message")[0][1] == "re: b", bev
    netstack.run(b.send("c"))
    assert [e[1] for e in wait(bev, "message", 2)] == ["re: b", "re: c"], bev
    assert sorted(results, key=str) == [2302006, 2302006, True, True, True], results
    netstack.run(b.close())
    netstack.run(srv.stop())


if __name__ == "__main__":
    test_send_to_a_gone_connection_then_reply()
    print("OK")
