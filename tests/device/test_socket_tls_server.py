# timeout: 120
# netstack's TLSSocketServer on MicroPython with a netstack TLSSocket client in the same
# process (two TLS sessions in one heap): echo through the server's connection, getters.
# The figure where it does not fit is below (tls_server_support). A closed server holds
# nothing of what listening took (context, certificate, key, connections).
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


def free():
    gc.collect()
    return gc.mem_free()


async def released():
    # close() lets go of the SSL context, certificate, key and connections: dropping the
    # server object afterwards frees only the object itself (before: 4,800 B more, x64)
    for connect in (False, True):
        srv, conns, port = await tls_server(lambda b: b)
        if connect:
            c = ns.constructTLSSocketInstance()
            await c.connect({"address": {"address": "127.0.0.1", "port": port},
                             "skipRemoteValidation": True})
            await c.send({"data": "x"})
            await until(lambda: conns)
            await c.close()
            await until(lambda: conns[0]._st & 4)
            c = None
            conns.clear()
        await srv.close()
        for i in range(3):
            await asyncio.sleep_ms(5)
        before = free()
        srv = None
        held = free() - before
        print("a closed server (connected: %s) held %d B" % (connect, held))
        assert held < 1500, held


try:
    netstack.run(released())
except BusinessError as e:
    two_sessions_do_not_fit(e)
try:
    netstack.run(server())
except BusinessError as e:
    two_sessions_do_not_fit(e)
gc.collect()
print("free", gc.mem_free())
print("OK")
