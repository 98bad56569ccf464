# One client's slow large message must not hold the server: a client that starts a large
# text message (past the size from which a message is read differently) and then sends
# nothing holds its own session only; another client's echo comes meanwhile, at once. Then
# the slow client sends the rest and its message arrives whole. (A server that waited inside
# that message, holding its loop, would answer the other client only when its wait ended.)
# include: ws_raw_support
import gc
import time

globals().pop("CFG", None)  # (the peers' settings: not used here, and ~KBs at 110k)
gc.collect()
import netstack

N = 16500  # (over 16 KiB: the large-message size of a small heap)


def test_slow_large_message_holds_only_its_session():
    got = []

    def on(m):
        d = m["data"]
        if len(d) > 100:
            got.append(len(d))
        else:
            srv.send(d, m["clientConnection"])
    srv, ev, p = server(on)
    fast = Raw(p)
    opened(fast)
    slow = Raw(p)
    opened(slow)
    echo(fast, "before")
    gc.collect()  # (the server's buffer for it, then its str: two 16 KB blocks at 110k)
    # a text frame of N bytes, masked with a zero key: its head and 100 bytes, then nothing
    slow.s.send(bytes((0x81, 0x80 | 126, N >> 8, N & 255, 0, 0, 0, 0)) + b"a" * 100)
    nap(50)
    for i in range(3):
        t = time.ticks_ms()
        echo(fast, "meanwhile %d" % i)
        ms = time.ticks_diff(time.ticks_ms(), t)
        assert ms < 1500, ("the other client waited", ms)
    piece = b"a" * 1000  # (the rest in pieces: a small heap holds the server's message too)
    left = N - 100
    while left:  # (non-blocking: as much as the socket takes)
        try:
            left -= slow.s.write(piece[:min(left, 1000)]) or 0
        except OSError:
            pass
        nap(2)
    until(lambda: got or [e for e in ev if e[0] == "close"])
    assert got == [N], (got, ev)
    echo(fast, "after")
    for c in (fast, slow):
        c.s.send(frame(8, b"\x03\xe8"))
    until(lambda: len([e for e in ev if e[0] == "close"]) == 2)
    for c in (fast, slow):
        c.s.close()
    netstack.run(srv.stop())


def _main():
    test_slow_large_message_holds_only_its_session()
    print("OK")


if __name__ == "__main__":
    _main()
