# timeout: 60
# include: ws_raw_support
# A server's first large message does not cut the heap's free run for the ones after it:
# what its reply needs (_ws_sessionx, loaded on first use: ~4 KB as .mpy) is loaded before
# its buffer is made (proto.ws.Parser's (-1, n) to a server's session), not while the
# buffer holds the run's start: loaded after it, the module's blocks stayed amid the run
# once the message was freed, and the next 64 KiB text found no room (Autobahn 1.1.6-8 run
# on their own at 192k .mpy: 1.1.7 and 1.1.8 1009). A plain-socket client (in this process)
# sends a 16 KiB text in one frame; the listener answers with 200 B (a frame that needs
# _ws_sessionx). The heap's largest free block afterwards must be within 8 KB of before
# (what the module and _take take, at the run's start); amid, the run is cut at the
# message's end (16 KB + the module less).
import gc
import sys

N = 16384


def largest():
    # the largest free block, by halving tries (a collection before each)
    lo, hi = 0, gc.mem_free()
    while hi - lo > 256:
        m = (lo + hi) // 2
        gc.collect()
        try:
            bytearray(m)
            lo = m
        except MemoryError:
            hi = m
    gc.collect()
    return lo


got = []


def on_message(m):
    d = m["data"]
    got.append(len(d))
    srv.send("r" * 200 if len(d) > 100 else d, m["clientConnection"])


srv, ev, port = server(on_message)
c = Raw(port, size=512)
opened(c)
echo(c, "warm")
assert "netstack._ws_sessionx" not in sys.modules, "loaded before the test"
b0 = largest()
c.s.send(bytes((0x81, 0xFE, N >> 8, N & 255, 0, 0, 0, 0)))
pat = b"0123456789abcdef" * 64
for i in range(N // 1024):
    c.s.send(pat)


def reply():
    c.poll()
    return c.frame()


assert until(reply) == (1, b"r" * 200), got
assert got == [4, N], got
b1 = largest()
print("largest free block before %d B, after %d B" % (b0, b1))
assert b1 >= b0 - 8192, (b0, b1)
c.s.close()
until(lambda: [e for e in ev if e[0] == "close"])
netstack.run(srv.stop())
print("OK")
