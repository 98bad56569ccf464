# A server's messages all go through one delivery generator (WebSocketServer._deliver, for
# the reader's quick path and the sessions' read loops). Out of memory inside it (making the
# event, or reporting a listener's or a send callback's exception) ended that generator:
# every later message of every client then raised "generator raised StopIteration" in its
# session (close 1006), and reporting that could run out of memory in the reader too, which
# ended: the server deaf to all its clients (found at the heap rows' edge, 8 clients at
# 97k). Now the MemoryError closes only the session whose message it was (1009 "out of
# memory") and the server goes on. The report is made to fail through the test hook.
# include: ws_raw_support
import gc

import netstack
from netstack import _log, _ws_server


def _oom_once(reports):
    # the next report runs out of memory (as a print of the traceback would at the edge)
    def hook(e, where):
        reports.append((where, type(e).__name__))
        if len(reports) == 1:
            raise MemoryError("memory allocation failed (test)")
    return hook


def _server():
    # echoes; "boom" raises in the listener, "cb" sends with a callback that raises
    def on(m):
        d = m["data"]
        c = m["clientConnection"]
        if d == "boom":
            raise ValueError("boom")
        if d == "cb":
            def cb(e, r):
                raise ValueError("cb")
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


def _closed(c):
    # the frames until the close: -> its code
    def f():
        try:
            c.poll()
        except EOFError:
            return (0,)
        r = c.frame()
        if r is not None and r[0] == 8:
            return (r[1][0] << 8 | r[1][1],) if len(r[1]) >= 2 else (1005,)
        return None
    return until(f)[0]


def _case(data):
    reports = []
    _log.hook = _oom_once(reports)
    try:
        srv, ev, p = _server()
        a, b = _clients(p, 2)
        echo(a, "a1")
        echo(b, "b1")
        a.s.send(data)
        assert _closed(a) == 1009, ev
        a.s.send(frame(8, b"\x03\xf1"))  # the close handshake's answer (1009), and the
        a.s.close()  # end of the TCP connection (else the server waits 3 s for it)
        echo(b, "b2")  # the others' messages are still delivered
        c, = _clients(p, 1)
        echo(c, "c1")
        echo(b, "b3")
        until(lambda: [e for e in ev if e[0] == "close"])
        cl = [e for e in ev if e[0] == "close"]
        assert len(cl) == 1 and cl[0][2]["code"] == 1009, ev
        assert reports[0][1] == "ValueError", reports
        assert len(srv.listAllConnections()) == 2
        for x in (b, c):
            x.s.send(frame(8, b"\x03\xe8"))
        until(lambda: len([e for e in ev if e[0] == "close"]) >= 3)
        for x in (b, c):
            x.s.close()
        netstack.run(srv.stop())
    finally:
        _log.hook = None
    gc.collect()


def test_oom_reporting_a_listener_on_the_quick_path():
    _case(frame(1, b"boom"))  # a whole small frame: the reader delivers it


def test_oom_reporting_a_listener_in_the_session():
    # a fragmented message: the session's read loop delivers it
    _case(bytes((0x01, 0x82, 0, 0, 0, 0)) + b"bo" + bytes((0x80, 0x82, 0, 0, 0, 0)) + b"om")


def test_oom_reporting_a_send_callback():
    _case(frame(1, b"cb"))


class _Poll:
    # the reader's poll (select.poll underneath), whose ipoll runs out of memory once: as
    # the reader's own work may (a list grown, a registration)
    def __init__(self):
        import select
        self.p = select.poll()
        self.register = self.p.register
        self.unregister = self.p.unregister
        self.oom = False

    def ipoll(self, ms):
        if self.oom:
            self.oom = False
            raise MemoryError("memory allocation failed (test)")
        return self.p.ipoll(ms)


def test_oom_in_the_reader():
    # the reader ran out of memory in its own work: it ended, and the parked sessions were
    # never read again (the server deaf to all); now a new reader serves them
    assert _ws_server._R is None  # (no session parked: the next reader uses this poll)
    pl = _ws_server._P = _Poll()
    srv, ev, p = _server()
    a, b = _clients(p, 2)
    echo(a, "a1")
    echo(b, "b1")
    r = _ws_server._R
    pl.oom = True
    echo(a, "a2")
    echo(b, "b2")
    assert not pl.oom and _ws_server._R is not r, "the poll was not used"
    assert not [e for e in ev if e[0] in ("close", "error")], ev
    for x in (a, b):
        x.s.send(frame(8, b"\x03\xe8"))
    until(lambda: len([e for e in ev if e[0] == "close"]) >= 2)
    for x in (a, b):
        x.s.close()
    netstack.run(srv.stop())
    _ws_server._P = None
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
