# timeout: 60
# A webSocket client in a program that never imports asyncio: netstack.run(ws.connect(url))
# leaves the session's task queued on _port's one-task loop (docs/core.md) and
# netstack.run() runs it there: open, a send with a callback from the open listener, the
# echo, pings answered by pongs, a close with a callback and the close handshake; the
# server's close; a refused connect. asyncio never loads. Then a move onto asyncio's loop:
# a session left queued between two runs when a callback-style call loads asyncio (one
# whose listener makes such a call, mid-step: test_solo_ws_move.py).
import gc
import sys
import time
URL = CFG["ws_echo"] + "/echo"
BYE = CFG["ws_echo"] + "/close/4001"
CLOSED = "ws://127.0.0.1:%d/" % CFG["closed_port"]
CFG = None
gc.collect()
import netstack
from netstack import webSocket, _port

done = []


def cb(err, data):
    done.append((err, data))


def client(url, opts, on_open=None, on_message=None):
    ws = webSocket.createWebSocket()
    ev = []
    ws.on("open", lambda o: (ev.append("open"), on_open and on_open(ws)))
    ws.on("message", lambda m: (ev.append(m), on_message and on_message(ws, m)))
    ws.on("close", lambda r: ev.append(("close", r["code"])))
    ws.on("error", lambda e: ev.append(("error", e.code)))
    assert netstack.run(ws.connect(url, opts)) is True
    return ws, ev


def no_asyncio(what):
    assert "asyncio" not in sys.modules, "asyncio loaded by " + what
    assert _port._task_queue.peek() is None and _port._sw is None and not _port._iow, what


# 1. echo, pings every 2 s (pong timeout 2 s), close: all on the one-task loop
seen = []


async def later(ws):  # (a task queued on the same loop: from 2.2 s after the first echo)
    s = ws._s
    if s.pong_due and len(seen) < 15:  # (the ping's pong not in yet: a loaded machine)
        seen.append(1)
        _port.spawn_after(later(ws), 100)
        return
    seen.append((s.pong_due, "netstack._ws_sessionx" in sys.modules))  # a ping went, its pong came
    ws.send("two", cb)


def echoed(ws, m):
    if m == "one":
        _port.spawn_after(later(ws), 2200)
    else:
        ws.close(None, cb)


t0 = time.ticks_ms()
ws, ev = client(URL, {"pingInterval": 2}, lambda ws: ws.send("one", cb), echoed)
assert ev == [] and "asyncio" not in sys.modules  # (the session runs at netstack.run())
netstack.run()
ms = time.ticks_diff(time.ticks_ms(), t0)
assert ev == ["open", "one", "two", ("close", 1000)], ev
assert seen[-1] == (False, True), seen
assert done == [(None, True)] * 3, done
assert 2200 <= ms < 6000, ms
no_asyncio("a session with pings")

# 2. the server closes (4001, after a message): the close handshake, the wait for its TCP close
ws, ev = client(BYE, {"pingInterval": 0}, lambda ws: ws.send("go", cb))
netstack.run()
assert ev == ["open", ("close", 4001)], ev
no_asyncio("the server's close")
assert len(done) == 4, done

# 3. a refused connect: error and close events, and run() returns
ws, ev = client(CLOSED, None)
netstack.run()
assert ev == [("error", 200), ("close", 1006)], ev
no_asyncio("a refused connect")

# 4. the session queued between two runs moves when asyncio loads (a callback-style call)
del done[:]
ws, ev = client(URL, {"pingInterval": 0}, lambda ws: ws.send("three", cb),
                lambda ws, m: ws.close(None, cb))
other = webSocket.createWebSocket()
other.connect(CLOSED, cb)  # (callback-style: a task of asyncio's loop)
assert "asyncio" in sys.modules and _port._task_queue.peek() is None
netstack.run()
assert ev == ["open", "three", ("close", 1000)], ev
assert done == [(None, True)] * 3, done  # (and other's connect)

print("OK")
