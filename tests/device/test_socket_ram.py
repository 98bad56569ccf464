# timeout: 120
# Heap per open socket on MicroPython (the RAM targets): a TCP client connection
# (≤ 1 KB beyond its receive buffer; the receive buffer is shared by all sockets, so it
# has none of its own), a UDP socket, a TLS client connection, and a TCP server with four
# clients. Prints the figures docs/socket.md quotes.
import gc
C = {k: CFG[k] for k in ("tcp_echo", "udp_echo", "tls_echo", "ca_pem")}
CFG = None
gc.collect()
import asyncio
import netstack
from netstack import socket as ns

N = 16  # several, so a dict growing on the way is shared out


def free():
    gc.collect()
    gc.collect()
    return gc.mem_free()


def A(port):
    return {"address": "127.0.0.1", "port": port}


async def until(pred, ms=8000):
    while not pred():
        if ms <= 0:
            raise AssertionError("condition not met in time")
        await asyncio.sleep_ms(5)
        ms -= 5


async def tcp_bare():
    # the same without a message listener: the library's own cost
    base = free()
    socks = []
    for i in range(N):
        s = ns.constructTCPSocketInstance()
        await s.connect({"address": A(C["tcp_echo"])})
        socks.append(s)
    await asyncio.sleep_ms(20)
    per = (base - free()) // N
    for s in socks:
        await s.close()
    return per


async def tcp_pair():
    # warm up: code loaded, the shared receive buffer made, one of each object type seen
    s = ns.constructTCPSocketInstance()
    s.on("message", lambda m: None)
    await s.connect({"address": A(C["tcp_echo"])})
    await s.send({"data": "x"})
    await asyncio.sleep_ms(20)
    await s.close()
    base = free()
    socks = []
    for i in range(N):
        s = ns.constructTCPSocketInstance()
        s.on("message", lambda m: None)
        await s.connect({"address": A(C["tcp_echo"])})
        socks.append(s)
    await asyncio.sleep_ms(20)
    per = (base - free()) // N
    for s in socks:
        await s.close()
    return per


async def udp():
    u = ns.constructUDPSocketInstance()
    await u.bind({"address": "127.0.0.1"})
    await u.close()
    base = free()
    us = []
    for i in range(N):
        u = ns.constructUDPSocketInstance()
        u.on("message", lambda m: None)
        await u.bind({"address": "127.0.0.1"})
        us.append(u)
    await asyncio.sleep_ms(20)
    per = (base - free()) // N
    for u in us:
        await u.close()
    return per


async def server4():
    srv = ns.constructTCPSocketServerInstance()
    await srv.listen(A(0))
    await srv.close()
    base = free()
    srv = ns.constructTCPSocketServerInstance()
    conns = []
    srv.on("connect", conns.append)
    await srv.listen(A(0))
    port = (await srv.getLocalAddress())["port"]
    cs = []
    for i in range(4):
        c = ns.constructTCPSocketInstance()
        await c.connect({"address": A(port)})
        cs.append(c)
    await until(lambda: len(conns) == 4)
    total = base - free()
    for c in cs:
        await c.close()
    await srv.close()
    return total


async def tls():
    s = ns.constructTLSSocketInstance()
    s.on("message", lambda m: None)
    opts = {"address": A(C["tls_echo"]), "secureOptions": {"ca": C["ca_pem"]}}
    await s.connect(opts)
    await s.close()
    base = free()
    s = ns.constructTLSSocketInstance()
    s.on("message", lambda m: None)
    await s.connect(opts)
    await s.send({"data": "x"})
    await asyncio.sleep_ms(50)
    per = base - free()
    await s.close()
    return per


tcp = netstack.run(tcp_pair())  # (its first socket warms up: code, shared buffer)
bare = netstack.run(tcp_bare())
tcp = netstack.run(tcp_pair())
ud = netstack.run(udp())
s4 = netstack.run(server4())
tl = netstack.run(tls())
print("heap per open TCP client connection: %d B (%d B of it the app's message listener)"
      % (tcp, tcp - bare))
print("heap per bound UDP socket: %d B" % ud)
print("heap for a TCP server with 4 clients (server side and the 4 netstack clients): %d B" % s4)
print("heap for one open TLS client connection (GC heap): %d B" % tl)
assert bare <= 1024, (bare, tcp)
print("OK")
