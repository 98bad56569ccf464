# timeout: 60
# include: ws_oom_support
# The server's side of test_ws_oom.py, with a fragmented message: netstack's own client (in
# this process) sends a 16 KiB text (8 KiB at 110k) in 2 KiB fragments with the heap
# filled to 3/4 of that + 4 KB free, so that the server's parser cannot assemble it
# (MemoryError in the read loop: close 1009). Afterwards the server session, held through
# its task as a stale task-queue pointer holds it (docs/websocket.md, "Large messages
# after an out-of-memory"), must not keep the part of the message it had assembled
# (Parser.msg): what it holds must be within 1 KB of what a session that closed normally
# holds.
import gc
import netstack
from netstack import webSocket, _port, _ws_sessionx

PORT = 26000 + (_port.random_bytes(2)[0] << 4)
W = "w" * 3000  # (made once, before the server: at 110k later blocks this big may not be
Y = "y" * 3000  # there)
gc.collect()
M = "x" * (16384 if gc.mem_free() > 80000 else 8192)  # (at 110k ROMFS ~60 KB are free here)


srv = webSocket.createWebSocketServer()
sev = []
held = []


def on_connect(ref):
    held[:] = [e[1].task for e in srv._conns if e[0] is ref]  # (the session's task)


srv.on("connect", on_connect)
srv.on("messageReceive", lambda m: sev.append(("message", len(m["data"]))))
srv.on("close", lambda c, r: sev.append(("close", r["code"])))
netstack.run(srv.start({"serverIP": "127.0.0.1", "serverPort": PORT, "antiAbuse": False,
                        "permessageDeflate": False}))


def session(m, tight=False):
    # one client connection sending m in 2 KiB fragments -> (client events, server events).
    # tight: the heap filled with 512 B blocks first, to 3/4 of m's size + 4 KB free
    ws = webSocket.createWebSocket()
    ev = []
    for name in ("open", "close", "error"):
        ws.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
    del sev[:]
    assert netstack.run(ws.connect("ws://127.0.0.1:%d/" % PORT, {"permessageDeflate": False})) is True
    until(ev, ("open",))
    frag = _ws_sessionx.FRAGMENT
    _ws_sessionx.FRAGMENT = 2048
    fill = []
    try:
        gc.collect()  # (the 110k heap is fragmented here: the last session's garbage freed)
        if tight:
            while gc.mem_free() > len(m) // 2 + len(m) // 4 + 4096:
                fill.append(bytearray(512))
        ws.send(m, lambda e, d: None)
        until(sev, ("message", "close"))
    finally:
        _ws_sessionx.FRAGMENT = frag
        fill = None
    ws.close(None, lambda e, d: None)
    until(ev, ("close",))
    until(sev, ("close",))
    return ev, list(sev)


session(W)  # the path's code loaded


def measured(m, tight=False):
    # a session like the last before it (what stale pointers keep of that one is alike in
    # both measurements) -> (the server's events, heap its held task keeps)
    session(W)
    held[:] = []
    gc.collect()
    base = gc.mem_free()
    s = session(m, tight)[1]
    gc.collect()
    return s, base - gc.mem_free()


s, normal = measured(Y)
assert s[0] == ("message", 3000), s
n = len(M)
s, after = measured(M, True)
assert s == [("close", 1009)], (n, s)
print("%d B in 2 KiB fragments, about %d B free: 1009; held with the task %d B (a normal "
      "session %d B)" % (n, n * 3 // 4 + 4096, after, normal))
assert after < normal + 1024, (after, normal, n)
netstack.run(srv.stop())
print("OK")
