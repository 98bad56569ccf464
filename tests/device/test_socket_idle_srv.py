# timeout: 120
# No busy polling on a TLSSocketServer's connection and its netstack TLSSocket client (two
# sessions, each reader waiting): as test_socket_idle.py says (apart: both do not fit one
# 110k heap). The client sends right after connect: its write finishes the handshake
# (mbedTLS wants to read then), a wait that must go to the TLS socket's own poll.
# include: socket_support
# include: idle_support
# include: tls_server_support
import gc
C = {k: CFG[k] for k in ("client_cert_pem", "client_key_pem")}
CFG = None
gc.collect()
import asyncio
import time
import netstack
from netstack import socket as ns, BusinessError


async def server():
    srv, conns, port = await tls_server(bytes)
    c = ns.constructTLSSocketInstance()
    got = []
    c.on("message", got.append)
    await c.connect({"address": {"address": "127.0.0.1", "port": port},
                     "skipRemoteValidation": True})
    await c.send({"data": "abc"})
    await until(lambda: got)
    await idle("TLSSocketServer connection and its client")
    await c.close()
    await srv.close()
    print("server ok")


async def main():
    await idle("nothing open")
    try:
        await server()
    except BusinessError as e:
        two_sessions_do_not_fit(e)


netstack.run(main())
print("OK")
