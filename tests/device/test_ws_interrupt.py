# Ctrl-C at the REPL while a webSocket server runs (a KeyboardInterrupt): netstack.run()
# stops, and at the next run() the server goes on serving every client. Its plain sessions
# wait in one reader task and its messages go through one delivery generator: a
# KeyboardInterrupt that ended either (in a messageReceive listener, in a send's callback)
# left the server deaf to all of them before.
# include: ws_raw_support
import gc

import netstack
from netstack import _ws_server


def _run_until_interrupted(what):
    try:
        until(what)
    except KeyboardInterrupt:
        return True
    return False


def _frames(c, k):
    got = []

    def f():
        c.poll()
        r = c.frame()
        if r is not None:
            got.append(r)
        return len(got) == k
    until(f)
    return got


def _interrupting_server():
    # echoes; "stop" raises KeyboardInterrupt in the listener, "cb" in a send's callback
    def on(m):
        d = m["data"]
        c = m["clientConnection"]
        if d == "stop":
            raise KeyboardInterrupt
        if d == "cb":
            def cb(e, r):
                raise KeyboardInterrupt
            srv.send(d, c, cb)
            return
        srv.send(d, c)
    srv, ev, p = server(on)
    return srv, ev, p


def _clients(p, n):
    cs = []
    for i in range(n):
        c = Raw(p)
        opened(c)
        cs.append(c)
    return cs


def test_listener_interrupted_on_the_quick_path():
    # a whole small frame: the reader delivers it itself
    srv, ev, p = _interrupting_server()
    a, b = _clients(p, 2)
    echo(a, "a1")
    echo(b, "b1")
    a.s.send(frame(1, b"stop"))
    assert _run_until_interrupted(lambda: False), "no KeyboardInterrupt out of run()"
    echo(a, "a2")  # the interrupted one's session goes on
    echo(b, "b2")
    a.s.send(frame(1, b"cb"))
    assert _run_until_interrupted(lambda: False), "no KeyboardInterrupt from the callback"
    assert _frames(a, 1) == [(1, b"cb")]
    echo(a, "a3")
    echo(b, "b3")
    assert not [e for e in ev if e[0] in ("close", "error")], ev
    _end(srv, ev, (a, b))


def test_listener_interrupted_in_the_session():
    # a fragmented message: the session's own read loop delivers it
    srv, ev, p = _interrupting_server()
    a, b = _clients(p, 2)
    echo(a, "a1")
    a.s.send(bytes((0x01, 0x82, 0, 0, 0, 0)) + b"st" + bytes((0x80, 0x82, 0, 0, 0, 0)) + b"op")
    assert _run_until_interrupted(lambda: False), "no KeyboardInterrupt out of run()"
    echo(a, "a2")
    echo(b, "b2")
    assert not [e for e in ev if e[0] in ("close", "error")], ev
    _end(srv, ev, (a, b))


def test_interrupted_in_the_reader():
    # Ctrl-C while the reader runs (in its poll, or here in its quick path's parse for a,
    # whose frame may be half unmasked then): the reader ends, a's session with it (as a
    # session interrupted in its own step: close 1006); b's, parked, is served at the next
    # run by a new reader
    srv, ev, p = server()
    a, b = _clients(p, 2)
    echo(a, "a1")
    echo(b, "b1")
    r = _ws_server._R
    assert r is not None
    run = srv._m  # (the reader's quick path hands a's text to it, once parsed)

    def nxt(d):
        srv._m = run
        raise KeyboardInterrupt
    srv._m = nxt
    a.s.send(frame(1, b"x"))
    assert _run_until_interrupted(lambda: False), "no KeyboardInterrupt out of run()"
    assert _ws_server._R is not None and _ws_server._R is not r, "no new reader"
    echo(b, "b2")
    c = [e for e in ev if e[0] == "close"]
    assert len(c) == 1 and c[0][2]["code"] == 1006, ev
    assert len(srv.listAllConnections()) == 1
    a.s.close()
    _end(srv, ev, (b,), 2)


def _end(srv, ev, cs, n=0):
    for c in cs:
        c.s.send(frame(8, b"\x03\xe8"))
    until(lambda: len([e for e in ev if e[0] == "close"]) >= (n or len(cs)))
    for c in cs:
        c.s.close()
    netstack.run(srv.stop())
    gc.collect()


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
        gc.collect()
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
