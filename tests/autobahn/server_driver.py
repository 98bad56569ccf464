# Autobahn server driver, run by MicroPython (or CPython through the shim): a
# netstack.webSocket server on 127.0.0.1:argv[1] that echoes every message to its sender,
# without the anti-abuse ban (a conformance run opens hundreds of connections from one
# address). Prints READY once listening; runs until killed.
import sys
import netstack
from netstack import webSocket

srv = webSocket.createWebSocketServer()


def _ignore(err, data):
    pass


def on_message(m):
    srv.send(m["data"], m["clientConnection"], _ignore)


srv.on("messageReceive", on_message)


async def main():
    await srv.start({"serverIP": "127.0.0.1", "serverPort": int(sys.argv[1]),
                     "maxConcurrentClientsNumber": 10, "maxConnectionsForOneClient": 10,
                     "antiAbuse": False})
    print("READY")
    import asyncio
    while True:
        await asyncio.sleep(3600)


netstack.run(main())
