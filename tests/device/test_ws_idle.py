# timeout: 60
# No busy polling on a wss connection: an open, idle webSocket over TLS costs no CPU while
# nothing arrives (issue 9 §3; the socket module's cases and the why: test_socket_idle.py,
# apart because both do not fit one 110k heap). The session's reader waits through
# _port.wait_readable, on the TCP socket under TLS on the unix port
# (_porttls.WAITS).
# include: socket_support
# include: idle_support
import gc
C = {k: CFG[k] for k in ("ca_pem", "wss_echo")}
CFG = None
gc.collect()
import asyncio
import time
import netstack
from netstack import webSocket


async def main():
    path = "idle_test_ca.pem"
    with open(path, "w") as f:
        f.write(C["ca_pem"])
    ws = webSocket.createWebSocket()
    got = []
    ws.on("open", lambda *a: got.append("open"))
    ws.on("message", got.append)
    await ws.connect(C["wss_echo"] + "/x", {"caPath": path})
    await until(lambda: got)  # (connect resolves at once; the session opens later)
    await ws.send("hi")
    await until(lambda: len(got) == 2)
    assert got[1] == "hi", got
    await idle("wss webSocket")
    await ws.close()


netstack.run(main())
print("OK")
