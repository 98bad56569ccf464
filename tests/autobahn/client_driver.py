# Autobahn client driver, run by MicroPython (or CPython through the shim): echoes every
# message of every case of a fuzzingserver at argv[1] (host:port); argv[2]: agent name.
# Each case is one netstack.webSocket client; cases run one after the other. argv[3]
# (optional): the largest message in bytes, for group 9 (raises the 5 MiB defaults).
import gc
import sys
import netstack
from netstack import webSocket

BASE = "ws://" + sys.argv[1]
AGENT = sys.argv[2] if len(sys.argv) > 2 else "netstack"
OPTS = {"pingInterval": 0}
if len(sys.argv) > 3:
    from netstack import _ws_client
    OPTS["maxMessageSize"] = _ws_client.SEND_LIMIT = int(sys.argv[3])


async def one(url, echo):
    ws = webSocket.createWebSocket()
    out = {"n": None, "closed": None}

    def on_message(m):
        if echo:
            ws.send(m, _ignore)
        else:
            out["n"] = m

    def on_close(r):
        out["closed"] = r

    ws.on("message", on_message)
    ws.on("close", on_close)
    await ws.connect(url, OPTS)
    # wait for the close event
    import asyncio
    while out["closed"] is None:
        await asyncio.sleep_ms(5) if hasattr(asyncio, "sleep_ms") else await asyncio.sleep(0.005)
    return out


def _ignore(err, data):
    pass


async def main():
    r = await one(BASE + "/getCaseCount", False)
    n = int(r["n"])
    print("cases:", n)
    for i in range(1, n + 1):
        # the last case's garbage collected before this case's URL and coroutine are made:
        # made amid it, they stay, live, above where it was, and cut the heap a large message
        # needs in two (at 192k with the code in ROMFS: 153 KB free, the largest block
        # 149 KB -> 82 KB after 1.2.6, and 10.1.1's 64 KiB text no longer fit)
        gc.collect()
        await one("%s/runCase?case=%d&agent=%s" % (BASE, i, AGENT), True)
    await one("%s/updateReports?agent=%s" % (BASE, AGENT), False)
    print("done")


netstack.run(main())
