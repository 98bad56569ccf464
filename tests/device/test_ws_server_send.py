# The webSocket server's send() from a listener, its common case (_ws_server._out: a frame
# of up to 125 bytes written at the call by one generator for all the server's sessions):
# a write the socket takes only part of (the rest from a task, and the sends behind it
# wait for their turn, in order), and an exception inside it (out of memory), after which
# the next send must still work (an exception ending the generator would end every later
# send of the server); the callbacks of a listener's sends and closes run when it returns.
# include: ws_raw_support
import micropython


def test_small_sends_behind_a_partial_write():
    # K small binaries, each sent from the last one's callback, to a client that reads
    # nothing until they are all sent: its buffers fill, a write goes out in part, and
    # every message must still arrive whole and in order
    K = 300
    sent = [0, 0]  # callbacks, and those that said True (a list of K: no room at 110k)

    def on(m):
        d = m["data"]
        c = m["clientConnection"]
        if type(d) is str:
            srv.send(d, c)
            return

        def more(e, r):
            sent[0] += 1
            sent[1] += r is True
            if sent[0] < K:
                srv.send(bytes([sent[0] & 255]) * 100, c, more)
        srv.send(bytes(100), c, more)
    srv, ev, p = server(on)
    x = Raw(p, 2048, False, 256)
    opened(x)
    xs = srv._conns[0][1]
    try:  # the server's side: a small send buffer (SOL_SOCKET, SO_SNDBUF on Linux)
        xs.c.s.setsockopt(1, 7, 4096)
    except (OSError, AttributeError):
        pass
    x.s.send(frame(2, b"go"))
    nap(300)  # (the client reads nothing meanwhile)
    blocked = sent[0] < K
    got = []

    def drained():
        x.poll()
        while True:
            f = x.frame()
            if f is None:
                break
            got.append(f)
        return len(got) == K
    try:
        until(drained, 8000)
    except AssertionError:
        raise AssertionError((len(got), sent, got[-3:]))
    assert got == [(2, 100)] * K, got
    until(lambda: sent[0] == K)
    assert sent == [K, K], sent
    assert blocked, "the writes never waited: no partial write tested"
    echo(x, "after")
    x.s.close()
    until(lambda: [e for e in ev if e[0] == "close"])
    netstack.run(srv.stop())


def test_send_out_of_memory_then_again():
    # send() that runs out of memory raises MemoryError at the call (as the session's
    # send_now did); the sends after it go out
    seen = []

    def on(m):
        d = m["data"]
        c = m["clientConnection"]
        if d == "oom":
            t = "x" * 10
            micropython.heap_lock()
            try:
                srv.send(t, c)  # (a text's view of its bytes needs memory)
            except MemoryError as e:
                seen.append(e)
            finally:
                micropython.heap_unlock()
            srv.send("after " + d, c)
        else:
            srv.send(d, c)
    srv, ev, p = server(on)
    x = Raw(p)
    opened(x)
    echo(x, "before")
    x.s.send(frame(1, b"oom"))

    def answer():
        x.poll()
        return x.frame()
    f = until(answer)
    assert f == (1, b"after oom"), (f, seen)
    assert len(seen) == 1 and isinstance(seen[0], MemoryError), seen
    for k in range(3):
        echo(x, "again %d" % k)
    x.s.close()
    until(lambda: [e for e in ev if e[0] == "close"])
    netstack.run(srv.stop())


def test_callbacks_run_when_the_listener_returns():
    # the callbacks of a listener's sends (a small one: _out's; 500 B: send_now's; a
    # close) run when it returns, before the next message's listener: two messages in one
    # read, so the reader delivers the second right after the first
    seen = []

    def on(m):
        d = m["data"]
        c = m["clientConnection"]
        if d == "a":
            srv.send("x", c, lambda e, r: seen.append(("small", r)))
            srv.send(bytes(500), c, lambda e, r: seen.append(("500", r)))
        elif d == "b":
            srv.close(c, {"code": 1000}, lambda e, r: seen.append(("close", r)))
        seen.append(d)
    srv, ev, p = server(on)
    x = Raw(p, 0, False, 1024)
    opened(x)
    x.s.send(frame(1, b"a") + frame(1, b"b") + frame(1, b"c"))
    until(lambda: len(seen) >= 5)
    nap(50)
    assert seen == ["a", ("small", True), ("500", True), "b", ("close", True)], seen
    x.s.close()
    until(lambda: [e for e in ev if e[0] == "close"])
    netstack.run(srv.stop())


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
        gc.collect()
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
