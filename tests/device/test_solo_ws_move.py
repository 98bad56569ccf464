# timeout: 60
# A webSocket session on _port's one-task loop (a program that never imports asyncio) whose
# open listener makes a callback-style call: asyncio loads in the middle of the session
# task's step, and the session (its read loop, with netstack.run()'s idle wait parked on
# the loop) moves onto asyncio's loop after that step; the echo and the close then run there.
import gc
import sys
URL = CFG["ws_echo"] + "/echo"
CLOSED = "ws://127.0.0.1:%d/" % CFG["closed_port"]
CFG = None
gc.collect()
import netstack
from netstack import webSocket, _port

done = []
ev = []


def cb(err, data):
    done.append((err, data))


def opened(o):
    ev.append("open")
    webSocket.createWebSocket().connect(CLOSED, cb)  # asyncio loads here
    ev.append("asyncio" in sys.modules)
    ws.send("hi", cb)


ws = webSocket.createWebSocket()
ws.on("open", opened)
ws.on("message", lambda m: (ev.append((m, "asyncio" in sys.modules)), ws.close(None, cb)))
ws.on("close", lambda r: ev.append(("close", r["code"])))
assert netstack.run(ws.connect(URL, {"pingInterval": 0})) is True
assert "asyncio" not in sys.modules
netstack.run()
assert ev == ["open", True, ("hi", True), ("close", 1000)], ev
assert done == [(None, True)] * 3, done
assert _port._task_queue.peek() is None and _port._sw is None and not _port._iow
print("OK")
