# The webSocket server's reader (_ws_server._reader): its plain sessions wait in one poll,
# and it resumes each session whose socket is ready itself, instead of asyncio waking each
# session's task per message. Clients are plain sockets here (their waits are not asyncio's:
# the loop's own waits are what the reader must also keep watching). Each case: sessions
# joining while others wait, a session leaving for a wait of asyncio's (its pong behind a
# large send that blocks) and coming back, the idle task dropping a silent client (a parked
# task cancelled), and stop() with sessions waiting.
# include: ws_raw_support
import gc
import socket

import netstack
from netstack import webSocket, _port, _ws_server


def test_sessions_joining_while_others_wait():
    # each new client's handshake waits in asyncio's poller, which the reader watches too,
    # while the earlier ones wait in the reader: afterwards every one is served
    srv, ev, p = server()
    cs = []
    for i in range(3):
        c = Raw(p, 0, i > 0)
        if i:  # its handshake waits in asyncio's poller while the reader serves the others
            nap(30)
            echo(cs[0], "meanwhile")
            nap(30)
            c.s.send(_UP)
        opened(c)
        cs.append(c)
        for k in range(3):  # (rounds: the reader yields to the loop between them)
            for j, d in enumerate(cs):
                echo(d, "m%d.%d.%d" % (i, k, j))
    core = _port._core
    if core is not None and hasattr(core, "_io_queue"):  # (MicroPython's asyncio)
        # the sessions wait in the reader, not one by one in asyncio's poller: there only
        # the accepting socket (and nothing of the clients: plain sockets)
        assert len(core._io_queue.map) == 1, (len(core._io_queue.map), core._io_queue.map)
    for c in cs:
        c.s.send(frame(8, b"\x03\xe8"))

    def closed():
        return len([e for e in ev if e[0] == "close"]) == 3
    until(closed)
    for c in cs:
        c.s.close()
    netstack.run(srv.stop())


def test_frames_the_quick_path_leaves_to_the_session():
    # the reader delivers whole small data frames itself and leaves the rest (a control
    # frame, a partial frame) in the buffer to the session's read loop, which must parse it
    # from there; an error in the reader's part (invalid UTF-8) closes as the session would
    srv, ev, p = server()
    c = Raw(p)
    opened(c)
    tail = b"c" * 100
    head = frame(1, tail)

    def frames(k):  # -> the next k frames the server sends
        got = []

        def f():
            c.poll()
            r = c.frame()
            if r is not None:
                got.append(r)
            return len(got) == k
        until(f)
        return got
    c.s.send(frame(1, b"a") + frame(9, b"p") + frame(1, b"b") + head[:40])
    got = frames(3)
    assert got == [(1, b"a"), (10, b"p"), (1, b"b")], got
    nap(30)
    c.s.send(head[40:] + frame(1, b"d"))
    got = frames(2)
    assert got == [(1, tail), (1, b"d")], got
    # invalid UTF-8 (0xff masked with the key bf 00 00 00: the quick path unmasks it in rb
    # before it finds it invalid; a session re-reading that rb would unmask it again and
    # deliver "@"): the session closes with 1007
    c.s.send(bytes((0x81, 0x81, 0xBF, 0, 0, 0, 0x40)))

    def closing():
        c.poll()
        r = c.frame()
        return r is not None and r[0] == 8 and r
    assert until(closing)[1][:2] == b"\x03\xef"
    until(lambda: [e for e in ev if e[0] == "close"])
    c.s.close()
    netstack.run(srv.stop())


def test_quick_path_keeps_the_message_limit():
    # a whole small frame over maxMessageSize is not the quick path's: the session's parser
    # refuses it with 1009, as it would any other (one within the limit is echoed first)
    srv = webSocket.createWebSocketServer()
    ev = []
    srv.on("close", lambda *a: ev.append(a))
    srv.on("messageReceive", lambda m: srv.send(m["data"], m["clientConnection"]))
    _PORT[0] += 1
    assert netstack.run(srv.start({"serverIP": "127.0.0.1", "serverPort": _PORT[0],
                                   "maxMessageSize": 10})) is True
    c = Raw(_PORT[0])
    opened(c)
    echo(c, "a" * 10)
    c.s.send(frame(1, b"b" * 11))

    def closing():
        c.poll()
        r = c.frame()
        return r is not None and r[0] == 8 and r
    assert until(closing)[1][:2] == b"\x03\xf1"
    until(lambda: ev)
    c.s.close()
    netstack.run(srv.stop())


def test_session_leaves_for_a_wait_and_comes_back():
    # a ping whose pong waits behind a large message the client does not read yet: the
    # session's task waits for its connection's turn (asyncio's); another client is served
    # meanwhile; then the client reads it all and the session is back in the reader
    big = bytes(2000)
    N = 32  # (64 KB: more than the sockets buffers take, the rest waits)

    def on(m):
        d = m["data"]
        c = m["clientConnection"]
        if d != "big":
            srv.send(d, c)
            return
        left = [N]

        def more(e, r):  # (one after the other: N tasks at once do not fit a small heap)
            left[0] -= 1
            if left[0]:
                srv.send(big, c, more)
        srv.send(big, c, more)
    srv, ev, p = server(on)
    x = Raw(p, 2048, False, 2100)
    opened(x)
    y = Raw(p)
    opened(y)
    echo(x, "first")
    xs = srv._conns[0][1]  # (x's session: x connected first)
    small = True
    try:  # the server's side of x: a small send buffer (SOL_SOCKET, SO_SNDBUF on Linux; a
        xs.c.s.setsockopt(1, 7, 4096)  # loopback socket's grows to MBs otherwise)
    except (OSError, AttributeError):
        small = False
    x.s.send(frame(1, b"big"))
    nap(100)  # (the large message fills the socket's buffers)
    x.s.send(frame(9, b"ping?"))
    nap(50)
    if small and _port._core is not None:  # (the reader runs: MicroPython)
        assert xs.c.wq is not None and xs.task not in _ws_server._L, (
            "the pong did not wait", xs.c.wq, xs.task in _ws_server._L)
    for k in range(5):
        echo(y, "y%d" % k)
    got = []

    def drained():
        x.poll()
        f = x.frame()
        if f is not None:
            got.append(f)
        return len(got) == N + 1
    try:
        until(drained, 8000)
    except AssertionError:
        raise AssertionError((got, x.n))
    assert got.count((2, len(big))) == N and (10, b"ping?") in got, got
    echo(x, "again")
    echo(y, "and y")
    if _port._core is not None:
        assert xs.task in _ws_server._L  # back in the reader
    x.s.close()
    y.s.close()
    until(lambda: len([e for e in ev if e[0] == "close"]) == 2)
    netstack.run(srv.stop())


def test_idle_client_dropped_and_stop():
    # a silent client that answers no ping is dropped by the idle task (its session's task
    # is cancelled while it waits in the reader); an active one stays; stop() closes it
    ms = _ws_server.IDLE_MS
    _ws_server.IDLE_MS = 200
    try:
        srv, ev, p = server()
        quiet = Raw(p)
        opened(quiet)
        busy = Raw(p)
        opened(busy)

        c = None
        for i in range(80):  # (~4 s)
            echo(busy, "still here")
            nap(50)
            c = [e for e in ev if e[0] == "close"]
            if c:
                break
        assert c and len(c) == 1 and c[0][2]["code"] == 1006, ev
        # the dropped session left the reader's poll (its close unparks it): only busy's
        assert len(_ws_server._M) == 1 and len(_ws_server._L) == 1, (_ws_server._M, _ws_server._L)

        def eof():
            try:
                quiet.poll()
            except EOFError:
                return True
        until(eof)
        assert len(srv.listAllConnections()) == 1
        echo(busy, "after")
        netstack.run(srv.stop())

        def going():
            busy.poll()
            f = busy.frame()
            return f is not None and f[0] == 8 and f
        assert going()[1][:2] == b"\x03\xe9"  # 1001
        busy.s.send(frame(8, b"\x03\xe9"))
        until(lambda: len([e for e in ev if e[0] == "close"]) == 2)
        assert not _ws_server._M and not _ws_server._L, (_ws_server._M, _ws_server._L)
        quiet.s.close()
        busy.s.close()
    finally:
        _ws_server.IDLE_MS = ms


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
        gc.collect()
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
