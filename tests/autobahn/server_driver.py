# Autobahn server driver, run by MicroPython (or CPython through the shim): a
# netstack.webSocket server on 127.0.0.1:argv[1] that echoes every message to its sender,
# without the anti-abuse ban (a conformance run opens hundreds of connections from one
# address). Prints READY once listening; runs until killed. argv[2] (optional): the
# largest message in bytes, for group 9 (raises the 5 MiB defaults).
import sys
import netstack
from netstack import webSocket, _ws_server

CFG = {"serverIP": "127.0.0.1", "serverPort": int(sys.argv[1]),
       "maxConcurrentClientsNumber": 10, "maxConnectionsForOneClient": 10, "antiAbuse": False}
if len(sys.argv) > 2:
    CFG["maxMessageSize"] = _ws_server.SEND_LIMIT = int(sys.argv[2])

srv = webSocket.createWebSocketServer()


def _ignore(err, data):
    pass


def on_message(m):
    srv.send(m["data"], m["clientConnection"], _ignore)


srv.on("messageReceive", on_message)


async def main():
    await srv.start(CFG)
    print("READY")
    import asyncio
    while True:
        await asyncio.sleep(3600)


netstack.run(main())
