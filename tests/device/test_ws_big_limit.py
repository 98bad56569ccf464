# timeout: 120
# include: ws_oom_support
# A client's large messages read in (_ws_big: a compressed one of 16 KiB or more on the wire,
# a fragmented text or compressed one once 16 KiB of it came) are bounded by the message
# limit, not by the heap. maxMessageSize 20 KiB, the heap cut down to twice that + 24 KB free
# (192k; 110k ROMFS has ~55 KB): a compression bomb (20 MB of zeros, 19.4 KiB compressed by
# the peer, CPython `websockets`) in 20 fragments and in one frame, and a 64 KiB text in
# 4 KiB fragments, close with 1009 "message over ..." (not "out of memory": the output grew
# until the heap ran out); a 23,000-character text (17.2 KiB compressed, limit 24 KiB)
# arrives whole. The fragmented bomb first: at 110k its 16 KiB of pieces, the 20 KiB output
# and the window fit a fresh heap's holes, not always the holes after the other cases.
import gc
import netstack
from netstack import webSocket, _ws_big  # (loaded first: not amid the room left)

C = CFG["ws_echo"]
CFG = None
MX = 20480  # (a 23,000-character text's: 24 KiB)
OVER = "message over %d bytes" % MX


def get(path, deflate, mx):
    # one connection to the peer's /send/...: the heap cut down, "go", its message (or the
    # close) -> (events, the heap free before "go")
    ws = webSocket.createWebSocket()
    ev = []
    for name in ("open", "message", "close", "error"):
        ws.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
    assert netstack.run(ws.connect(C + path, {"permessageDeflate": deflate,
                                             "maxMessageSize": mx})) is True
    until(ev, ("open",))
    gc.collect()  # the heap cut down to twice the limit + 24 KB free
    room = 2 * mx + 24576
    fill = []  # the ballast in the largest blocks the heap has: one block of all but the
    n = gc.mem_free() - room  # room may not be there in a fragmented heap (MemoryError)
    while n > 4096:
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


def over(path, deflate):
    ev, free = get(path, deflate, MX)
    closes = [e[1] for e in ev if e[0] == "close"]
    print("%s at %d B free: %r" % (path, free, closes))
    assert not [e for e in ev if e[0] == "message"], (path, ev)
    assert closes and closes[0]["code"] == 1009, (path, ev)
    assert OVER in closes[0]["reason"], (path, ev)  # (not "out of memory")


over("/send/20000000/1000000", True)   # a bomb in 20 fragments
over("/send/20000000", True)           # a bomb in one frame
over("/send/65536/4096", False)        # a fragmented text over the limit
ev, free = get("/send/-23000", True, 24576)
m = [e[1] for e in ev if e[0] == "message"]
print("23,000-character text, 17.2 KiB compressed, at %d B free: %r" % (free, [len(x) for x in m]))
assert len(m) == 1 and len(m[0]) == 23000 and type(m[0]) is str, ev
assert not [e for e in ev if e[0] == "error"], ev
m = ev = None
print("OK")
