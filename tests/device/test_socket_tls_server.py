# timeout: 120
# netstack's TLSSocketServer on MicroPython with a netstack TLSSocket client in the same
# process (two TLS sessions in one heap): echo through the server's connection, getters.
# The figure where it does not fit is below (tls_server_support).
# include: tls_server_support
import gc
C = {k: CFG[k] for k in ("client_cert_pem", "client_key_pem")}
CFG = None
gc.collect()
import asyncio
import netstack
from netstack import socket as ns, BusinessError


async def until(pred, ms=8000):
    while not pred():
        if ms <= 0:
            raise AssertionError("condition not met in time")
        await asyncio.sleep_ms(5)
        ms -= 5


async def server():
    srv, conns, port = await tls_server(lambda b: b.upper())
    c = ns.constructTLSSocketInstance()
    got = []
    c.on("message", got.append)
    await c.connect({"address": {"address": "127.0.0.1", "port": port}, "skipRemoteValidation": True})
    await c.send({"data": "abc"})
    await until(lambda: got)
    assert got[0]["message"] == b"ABC", got
    oc = await srv.getCertificate()
    assert oc["data"][0] == 0x30
    assert await conns[0].getCipherSuite(), "cipher after data"
    await c.close()
    await srv.close()
    await until(lambda: conns and (conns[0]._st & 4))
    print("tls server ok")



try:
    netstack.run(server())
except BusinessError as e:
    two_sessions_do_not_fit(e)
gc.collect()
print("free", gc.mem_free())
print("OK")
