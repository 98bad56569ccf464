# timeout: 60
# A program that never imports asyncio and runs a webSocket client with netstack.run(op):
# connect starts the session's task from a step of the one-task loop (asyncio loads there,
# docs/core.md), and the session then runs on asyncio's loop: open, send, the echo, close.
import gc
import sys
import time
URL = CFG["ws_echo"] + "/echo"
CFG = None
gc.collect()
import netstack
from netstack import webSocket, _port

assert "asyncio" not in sys.modules
ws = webSocket.createWebSocket()
ev = []
ws.on("open", lambda *a: ev.append("open"))
ws.on("message", lambda *a: ev.append(a[-1]))
assert netstack.run(ws.connect(URL)) is True  # (the session's task: asyncio loads)
assert "asyncio" in sys.modules


async def nap():
    await _port.sleep_ms(5)


def until(pred):
    t = time.ticks_ms()
    while not pred():
        assert time.ticks_diff(time.ticks_ms(), t) < 5000, ev
        netstack.run(nap())


until(lambda: "open" in ev)
assert netstack.run(ws.send("hi")) is True
until(lambda: "hi" in ev)
assert netstack.run(ws.close()) is True
print("OK")
