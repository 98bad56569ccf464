# timeout: 120
# include: ws_oom_support
# include: ws_cut_support
# A client's compressed message of 1 KiB or more on the wire is read in (_ws_big) where the
# heap is small: inflated as it arrives into one block, never held compressed beside its
# output. Before, one under 16 KiB compressed was taken whole (c), copied for DeflateIO (c)
# and inflated beside both (t): 2c + t. Here a 12,000-character random base64 text (~9 KiB
# compressed by the peer, CPython `websockets`) with the heap cut down to one 26 KB run: read in
# it needs t + the window (4 KB at 192k, 1 KB at 110k) + ~1.4 KB; the old way ~31 KB, and it
# closed 1009 "out of memory". In one frame, and in 1,000-character fragments (read in once
# 1 KiB of it came: before, its pieces were joined beside them, then inflated: 2c + t).
import gc
import netstack
from netstack import webSocket, _ws_big  # (loaded first: not amid the room left)

C = CFG["ws_echo"]
CFG = None
N = 12000
ROOM = 26624


def get(path):
    # one connection to the peer's /send/...: the heap cut down to one run of ROOM, "go",
    # its message (or the close) -> (events, the heap free before "go")
    ws = webSocket.createWebSocket()
    ev = []
    for name in ("open", "message", "close", "error"):
        ws.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
    assert netstack.run(ws.connect(C + path, {"permessageDeflate": True})) is True
    until(ev, ("open",))
    fill = cut(ROOM)
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


for path in ("/send/-%d" % N, "/send/-%d/1000" % N):
    ev, free = get(path)
    m = [e[1] for e in ev if e[0] == "message"]
    print("%s at %d B free: %r" % (path, free, [len(x) for x in m] or ev))
    assert len(m) == 1 and len(m[0]) == N and type(m[0]) is str, ev
    assert not [e for e in ev if e[0] == "error"], ev
    assert ev[-1][1]["code"] == 1000, ev
    m = ev = None
print("OK")
