# netstack.webSocket client against CPython `websockets` (tests/peers/peers_ws.py): one
# module for both runtimes. devtest runs it on MicroPython (CFG comes first, then _main()
# prints OK); tests/host/test_ws_client.py runs the same test_* functions on CPython.
# timeout: 120
import gc

import netstack
from netstack import webSocket, _port, _ws_sessionx
from netstack._err import BusinessError


def wait(ev, names, ms=10000):
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


def wait_n(ev, name, n, ms=10000):
    async def w():
        t = 0
        while len([e for e in ev if e[0] == name]) < n and t < ms:
            await _port.sleep_ms(5)
            t += 5
    netstack.run(w())


def opened(url, opts=None):
    ws = webSocket.createWebSocket()
    ev = []
    for name in ("open", "message", "close", "error", "dataEnd", "headerReceive"):
        ws.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
    assert netstack.run(ws.connect(url, opts)) is True
    return ws, ev


def code(fn, *a):
    try:
        netstack.run(fn(*a))
    except BusinessError as e:
        return e.code
    raise AssertionError("no BusinessError")


def at_call(fn, *a):
    # the code a call raises at once (401: bad arguments), before anything runs
    try:
        fn(*a)
    except BusinessError as e:
        return e.code
    raise AssertionError("no BusinessError at the call")


def messages(ev):
    return [e[1] for e in ev if e[0] == "message"]


def test_echo_text_binary_fragmented():
    ws, ev = opened(CFG["ws_echo"] + "/echo")
    assert wait(ev, ("open",)) == ("open", {"status": 101, "message": "Switching Protocols"})
    hdr = [e[1] for e in ev if e[0] == "headerReceive"][0]
    assert "sec-websocket-accept" in hdr
    frag = _ws_sessionx.FRAGMENT
    _ws_sessionx.FRAGMENT = 1000  # larger messages go out in 1000-byte frames
    try:
        gc.collect()
        big = 5000 if not hasattr(gc, "mem_free") or gc.mem_free() > 80000 else 1500
        sent = ["", "héllo wörld €", "x" * big, b"", bytes(range(256)) * (big // 500), bytes(126)]
        for m in sent:
            assert netstack.run(ws.send(m)) is True
        wait_n(ev, "message", len(sent))
    finally:
        _ws_sessionx.FRAGMENT = frag
    got = messages(ev)
    assert [type(m) is str for m in got] == [type(m) is str for m in sent]
    got = [bytes(m) if not isinstance(m, str) else m for m in got]
    assert got == sent, [(len(a), len(b), a[:20], b[:20]) for a, b in zip(got, sent)]
    assert len([e for e in ev if e[0] == "dataEnd"]) == len(sent)
    assert netstack.run(ws.close({"code": 4000, "reason": "done"})) is True
    assert wait(ev, ("close",)) == ("close", {"code": 4000, "reason": "done"})
    assert not [e for e in ev if e[0] == "error"], ev


def test_callbacks_of_sends_outside_a_listener():
    # sends made outside a message listener, back to back: each callback runs once, after
    # its send() returned, in the order of the calls (one task runs them all), and a send
    # from one of those callbacks gets its own callback too
    ws, ev = opened(CFG["ws_echo"] + "/echo")
    wait(ev, ("open",))
    got = []
    calls = [0]

    def cb(i):
        def f(err, data):
            got.append((i, err, data, calls[0]))
            if i == 2:
                ws.send("again", cb(3))
        return f

    for i in range(3):
        assert ws.send("m%d" % i, cb(i)) is None
        calls[0] += 1
    wait_n(ev, "message", 4)
    assert [g[:3] for g in got] == [(0, None, True), (1, None, True), (2, None, True),
                                    (3, None, True)], got
    assert all(g[3] == 3 for g in got), got  # none ran inside its send() call
    assert messages(ev) == ["m0", "m1", "m2", "again"]
    assert netstack.run(ws.close()) is True
    wait(ev, ("close",))


def test_listener_that_raises_is_reported():
    # a message listener that raises is reported (netstack's report, here through the test
    # hook) and the session goes on: the next message arrives, the close is a normal one
    # (the client's report call failed with AttributeError from 0c60da3's _aw-in-_err
    # until 2026-12-07, and the session ended with 1006)
    from netstack import _err
    ws = webSocket.createWebSocket()
    ev = []
    seen = []

    def bad(m):
        ev.append(("message", m))
        raise ValueError("listener bug")

    ws.on("message", bad)
    ws.on("open", lambda o: ev.append(("open", o)))
    ws.on("close", lambda r: ev.append(("close", r)))
    _err.hook = lambda e, what: seen.append((what, type(e).__name__))
    try:
        assert netstack.run(ws.connect(CFG["ws_echo"] + "/echo")) is True
        wait(ev, ("open",))
        netstack.run(ws.send("one"))
        wait_n(ev, "message", 1)
        netstack.run(ws.send("two"))
        wait_n(ev, "message", 2)
        assert messages(ev) == ["one", "two"], ev
        assert seen == [("message", "ValueError")] * 2, seen
        netstack.run(ws.close())
        assert wait(ev, ("close",))[1]["code"] == 1000, ev
    finally:
        _err.hook = None


def test_headers_and_protocol():
    ws, ev = opened(CFG["ws_echo"] + "/headers", {"header": {"X-Test": "1", "X-Empty": "",
                                                             "X-Num": 5}, "protocol": "json"})
    wait(ev, ("message",))
    import json
    h = json.loads(messages(ev)[0])
    assert h["x-test"] == "1" and "x-empty" not in h and "x-num" not in h
    assert h["sec-websocket-protocol"] == "json"
    netstack.run(ws.close())
    assert wait(ev, ("close",))[1]["code"] == 1000
    ws, ev = opened(CFG["ws_echo"] + "/long")  # a 101 head longer than the first buffer
    wait(ev, ("open",))
    assert [e[1] for e in ev if e[0] == "headerReceive"][0]["x-pad"] == "x" * 700
    netstack.run(ws.send("after a long head"))
    assert wait(ev, ("message",))[1] == "after a long head"
    netstack.run(ws.close())
    assert wait(ev, ("close",))[1]["code"] == 1000


def test_server_closes():
    ws, ev = opened(CFG["ws_echo"] + "/close/4001")
    wait(ev, ("open",))
    netstack.run(ws.send("go"))
    assert wait(ev, ("close",)) == ("close", {"code": 4001, "reason": "bye"})
    assert code(ws.send, "late") == -1
    assert code(ws.close) == 2302999


def test_bad_calls():
    ws = webSocket.createWebSocket()
    assert code(ws.connect, "http://127.0.0.1/") == 2302001
    assert code(ws.connect, "ws//x") == 2302001
    assert at_call(ws.connect, 5) == 401
    assert at_call(ws.connect, CFG["ws_echo"], {"protocol": 5}) == 401
    assert at_call(ws.connect, CFG["ws_echo"], {"pingInterval": -1}, lambda e, d: None) == 401
    assert at_call(ws.connect, CFG["ws_echo"], {"header": 1}) == 401
    assert at_call(ws.send, 3.5) == 401
    assert at_call(ws.close, {"reason": 5}) == 401
    assert code(ws.send, "x") == -1
    assert code(ws.close) == 2302999
    ws, ev = opened(CFG["ws_echo"] + "/echo")
    assert code(ws.connect, CFG["ws_echo"]) == 2302003
    wait(ev, ("open",))
    from netstack import _ws_client as wc  # the client's module (createWebSocket loaded it)
    lim = wc.SEND_LIMIT
    wc.SEND_LIMIT = 10
    try:
        assert at_call(ws.send, b"12345678901", lambda e, d: None) == 401
    finally:
        wc.SEND_LIMIT = lim
    netstack.run(ws.close())
    wait(ev, ("close",))


def test_connect_fails_with_events():
    ws, ev = opened("ws://127.0.0.1:%d/" % CFG["closed_port"])
    c = wait(ev, ("close",))
    assert c[1] == {"code": 1006, "reason": "The link is down"}, c
    err = [e[1] for e in ev if e[0] == "error"]
    assert len(err) == 1 and err[0].code == 200, err
    assert not [e for e in ev if e[0] == "open"]
    # not a WebSocket server: an HTTP answer that is not 101
    ws, ev = opened(CFG["httpbin"].replace("http://", "ws://") + "/get")
    wait(ev, ("close",))
    err = [e[1] for e in ev if e[0] == "error"]
    assert err and err[0].code == 200 and err[0].data != "0", err


def test_wss():
    path = "ws_test_ca.pem"
    with open(path, "w") as f:
        f.write(CFG["ca_pem"])
    ws, ev = opened(CFG["wss_echo"] + "/x", {"caPath": path})
    wait(ev, ("open", "close"))
    netstack.run(ws.send("secure"))
    wait(ev, ("message",))
    assert messages(ev) == ["secure"]
    netstack.run(ws.close())
    assert wait(ev, ("close",))[1]["code"] == 1000
    # the wrong CA: the handshake fails, error + close
    with open(path, "w") as f:
        f.write(CFG["other_ca_pem"])
    ws, ev = opened(CFG["wss_echo"] + "/x", {"caPath": path})
    assert wait(ev, ("close",))[1]["code"] == 1006
    assert [e for e in ev if e[0] == "error"] and not [e for e in ev if e[0] == "open"]
    assert code(webSocket.createWebSocket().connect, CFG["wss_echo"],
                {"caPath": "/nonexistent/ca.pem"}) == 2302002


def test_through_proxy():
    for name, auth in (("proxy", {}), ("proxy_auth", {"username": CFG["proxy_user"],
                                                      "password": CFG["proxy_password"]})):
        h, p = CFG[name].rsplit(":", 1)
        px = {"host": h, "port": int(p)}
        px.update(auth)
        ws, ev = opened(CFG["ws_echo"] + "/x", {"proxy": px})
        wait(ev, ("open", "close"))
        netstack.run(ws.send("via " + name))
        wait(ev, ("message",))
        assert messages(ev) == ["via " + name], ev
        netstack.run(ws.close())
        wait(ev, ("close",))
    # wrong credentials: the proxy refuses the tunnel -> error + close, never open
    h, p = CFG["proxy_auth"].rsplit(":", 1)
    ws, ev = opened(CFG["ws_echo"] + "/x", {"proxy": {"host": h, "port": int(p),
                                                       "username": "x", "password": "y"}})
    assert wait(ev, ("close",))[1]["code"] == 1006
    assert not [e for e in ev if e[0] == "open"]


def test_cycles_heap_back_to_baseline():
    def cycle():
        ws, ev = opened(CFG["ws_echo"] + "/echo")
        wait(ev, ("open",))
        netstack.run(ws.send("ping"))
        wait(ev, ("message",))
        netstack.run(ws.close())
        wait(ev, ("close",))

    cycle()
    gc.collect()
    if not hasattr(gc, "mem_free"):
        return
    base = gc.mem_free()
    for _ in range(20):
        cycle()
    gc.collect()
    assert base - gc.mem_free() < 2048, (base, gc.mem_free())


def _main():
    from netstack.proto import http1, wshs, wspmd, url  # noqa: F401  all a session loads
    from netstack import transport  # noqa: F401
    gc.collect()
    if hasattr(gc, "mem_free") and gc.mem_free() < 30000:
        # measured at 110k (.mpy or ROMFS): what is left after the client's code is too
        # little for these sessions (echoes up to 5 KB, a 4 KB inflate window): out of
        # memory -> close 1009. Known gap, see docs/websocket.md.
        print("SKIP %d B free after the client's imports (< 30000): the client sessions do not fit"
              % gc.mem_free())
        return
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
        gc.collect()
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
