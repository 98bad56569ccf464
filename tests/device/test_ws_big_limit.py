# timeout: 120
# include: ws_oom_support
# include: ws_cut_support
# A client's large messages read in (_ws_big: a compressed one of 16 KiB or more on the wire,
# a fragmented text or compressed one once 16 KiB of it came) are bounded by the message
# limit, not by the heap. maxMessageSize 20 KiB, the heap cut down to twice that + 24 KB free
# (192k; 110k ROMFS has ~55 KB): a compression bomb (20 MB of zeros, 19.4 KiB compressed by
# the peer, CPython `websockets`) in 20 fragments and in one frame, and a 64 KiB text in
# 4 KiB fragments, close with 1009 "message over ..." (not "out of memory": the output grew
# until the heap ran out); so does the bomb in one frame with the heap cut to one run of the
# limit, where the block holds less than the limit: the rest is counted (before: "out of
# memory", and the fragmented bomb so now and then at 110k ROMFS, where its block came out
# short); a 23,000-character text (17.2 KiB compressed, limit 24 KiB) arrives whole. The
# modules the cases load (the handshake's, the read-in's, the error texts) are loaded first:
# loaded amid the room one case leaves, they cut it for the next.
import gc
import netstack
from netstack import webSocket, _ws_big, _ws_clientx, _ws_sessionx  # (loaded first: not
from netstack.proto import wsmsgs, wspmd  # amid the room the cases leave, which they cut)

C = CFG["ws_echo"]
CFG = None
MX = 20480  # (a 23,000-character text's: 24 KiB)
OVER = "message over %d bytes" % MX


def get(path, deflate, mx, run=0):
    # one connection to the peer's /send/...: the heap cut down (run: to one run of that
    # many bytes), "go", its message (or the close) -> (events, the heap free before "go")
    ws = webSocket.createWebSocket()
    ev = []
    for name in ("open", "message", "close", "error"):
        ws.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
    assert netstack.run(ws.connect(C + path, {"permessageDeflate": deflate,
                                             "maxMessageSize": mx})) is True
    until(ev, ("open",))
    gc.collect()  # the heap cut down to twice the limit + 24 KB free
    room = 2 * mx + 24576
    fill = cut(run) if run else []  # the ballast in the largest blocks the heap has: one
    n = gc.mem_free() - room  # block of all but the room may not be there (MemoryError)
    while n > 4096 and not run:
        try:
            fill.append(bytearray(n))
            n = gc.mem_free() - room
        except MemoryError:
            n -= n >> 4
    gc.collect()
    free = gc.mem_free()
    ws.send("go", lambda e, d: None)
    until(ev, ("message", "close"))
    if [e for e in ev if e[0] == "message"]:
        ws.close(None, lambda e, d: None)
    until(ev, ("close",))
    fill = None
    r = list(ev)
    del ev[:]  # (not held by the session a stale task-queue pointer may keep alive)
    return r, free


def over(path, deflate, run=0):
    ev, free = get(path, deflate, MX, run)
    closes = [e[1] for e in ev if e[0] == "close"]
    print("%s at %d B free: %r" % (path, free, closes))
    assert not [e for e in ev if e[0] == "message"], (path, ev)
    assert closes and closes[0]["code"] == 1009, (path, ev)
    assert OVER in closes[0]["reason"], (path, ev)  # (not "out of memory")


over("/send/20000000/1000000", True)   # a bomb in 20 fragments
over("/send/20000000", True)           # a bomb in one frame
over("/send/20000000", True, MX)       # the same, the heap cut to one run of the limit
over("/send/65536/4096", False)        # a fragmented text over the limit
ev, free = get("/send/-23000", True, 24576)
m = [e[1] for e in ev if e[0] == "message"]
print("23,000-character text, 17.2 KiB compressed, at %d B free: %r" % (free, [len(x) for x in m]))
assert len(m) == 1 and len(m[0]) == 23000 and type(m[0]) is str, ev
assert not [e for e in ev if e[0] == "error"], ev
m = ev = None
print("OK")
