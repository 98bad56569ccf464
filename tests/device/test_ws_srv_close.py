# A client's close frame that breaks the rules (a code not allowed, a 1-byte payload, a
# reason that is not UTF-8): the server answers 1002/1007 and, as after a good close, closes
# TCP itself at once (RFC 6455 §7.1.1: the server first). The peer has sent its close: no
# reply is coming, so the server must not wait for the peer to close TCP (which a client
# such as websockets does only after its own timeout: both held the connection 3 s).
# A client that broke the protocol otherwise (here: a text that is not UTF-8) gets its close
# frame; the server then drops what comes until the client closes TCP or is quiet for 500 ms
# (its close reply came, or none is coming), at most 3 s: a client that answers and waits,
# or one that says nothing, is closed at once, one that goes on sending after 3 s.
# include: ws_raw_support
import time


def _close_and_wait(payload, op=8, after=None):
    # -> (the server's close frame, ms from it to the server's TCP close, close events);
    # after(c): what the client does each 5 ms once it has the server's close frame
    srv, ev, p = server()
    c = Raw(p)
    opened(c)
    c.s.send(frame(op, payload))
    got = []

    def f():
        try:
            c.poll()
        except EOFError:
            return True
        r = c.frame()
        if r is not None:
            got.append((r, time.ticks_ms()))
        elif got and after:
            return after(c)  # (True: the server is gone)
        return False
    until(f, 6000)
    t = time.ticks_ms()
    c.s.close()
    until(lambda: [e for e in ev if e[0] == "close"])
    netstack.run(srv.stop())
    assert len(got) == 1 and got[0][0][0] == 8, got
    return got[0][0][1], time.ticks_diff(t, got[0][1]), [e for e in ev if e[0] == "close"]


def test_bad_close_then_tcp_closed_at_once():
    for payload, code in ((b"\x03\xe7", 1002),          # 999: not a code a peer may send
                          (b"\x03", 1002),              # one byte
                          (b"\x03\xe8\xff\xfe", 1007),  # 1000, a reason not UTF-8
                          (b"\x03\xe8bye", 1000)):      # a good one: echoed, closed at once
        reply, ms, closes = _close_and_wait(payload)
        assert reply[:2] == bytes((code >> 8, code & 255)), (payload, reply)
        assert closes[0][2]["code"] == code, (payload, closes)
        assert ms < 1500, (payload, ms)  # (the peer's side waited 3000 ms before)


def test_failed_connection_closed_once_the_peer_is_quiet():
    def answer(c):  # the close answered once, then the client waits for the server
        if not c.up is None:
            c.s.send(frame(8, b"\x03\xea"))
            c.up = None

    def talk(c):  # data frames every 5 ms: the server stops reading them after 3 s
        try:
            c.s.send(frame(1, b"still here"))
        except OSError:  # (its close came first: EPIPE or a reset)
            return True

    for after, lo, hi in ((answer, 0, 1500), (None, 400, 1500), (talk, 2500, 4500)):
        reply, ms, closes = _close_and_wait(b"\xff", 1, after)
        assert reply[:2] == b"\x03\xef", reply  # 1007
        assert closes[0][2]["code"] == 1007, closes
        assert lo <= ms < hi, (after, ms)


test_bad_close_then_tcp_closed_at_once()
test_failed_connection_closed_once_the_peer_is_quiet()
print("OK")
