# The `make demo` socket tour (its own process, as ws_tour.py: after the HTTP tour's TLS
# sessions, cache and 5 MB stream, a 192k heap with the code as .mpy had no room left for
# the TCP server's two clients). CFG (the peers' addresses) is prepended by tools/demo.py.
import gc
import netstack
from netstack import BusinessError

print("== @ohos.net.socket: TCP echo with events")
import asyncio
from netstack import socket


def A(port):
    return {"address": "127.0.0.1", "port": port}


async def until(pred):
    for i in range(400):
        if pred():
            return
        await asyncio.sleep_ms(10)


async def tcp_echo():
    s = socket.constructTCPSocketInstance()
    got = []
    s.on("connect", lambda: print("connect"))
    s.on("message", lambda m: (got.append(m), print("message", m["message"], m["remoteInfo"])))
    s.on("close", lambda: print("close"))
    await s.connect({"address": A(CFG["tcp_echo"]), "timeout": 3000})
    print("getState", await s.getState(), "local", await s.getLocalAddress())
    await s.send({"data": "hello over TCP"})
    await until(lambda: got)
    await s.close()
    try:
        await s.send({"data": "after close"})
    except BusinessError as err:
        print("send after close:", err.code, err.message)

netstack.run(tcp_echo())

print("\n== UDP: a datagram to the echo peer and back")


async def udp():
    u = socket.constructUDPSocketInstance()
    got = []
    u.on("listening", lambda: print("listening"))
    u.on("message", lambda m: (got.append(1), print("message", m["message"], m["remoteInfo"])))
    await u.bind({"address": "127.0.0.1", "port": 0})
    await u.send({"data": "hello over UDP", "address": A(CFG["udp_echo"])})
    await until(lambda: got)
    await u.close()

netstack.run(udp())

print("\n== TCPSocketServer with two clients")


async def server():
    srv = socket.constructTCPSocketServerInstance()

    def on_connect(c):
        print("server: connect, clientId", c.clientId)
        c.on("message", lambda m: c.send({"data": m["message"].upper()}, lambda e, d: None))
    srv.on("connect", on_connect)
    await srv.listen({"address": "127.0.0.1", "port": 0})
    port = (await srv.getLocalAddress())["port"]
    print("listening on port", port)
    got = []
    clients = []
    for name in ("alice", "bob"):
        c = socket.constructTCPSocketInstance()
        c.on("message", lambda m, name=name: (got.append(1), print(name, "got", m["message"])))
        await c.connect({"address": A(port)})
        await c.send({"data": "hi from " + name})
        clients.append(c)
    await until(lambda: len(got) == 2)
    for c in clients:
        await c.close()
    await srv.close()

netstack.run(server())

print("\n== TLSSocket, verified against the local CA")


async def tls():
    s = socket.constructTLSSocketInstance()
    got = []
    s.on("message", lambda m: (got.append(1), print("message", m["message"])))
    await s.connect({"address": A(CFG["tls_echo"]), "secureOptions": {"ca": CFG["ca_pem"]}})
    await s.send({"data": "hello over TLS"})
    await until(lambda: got)
    print("protocol", await s.getProtocol(), "cipher", (await s.getCipherSuite())[0])
    await s.close()
    bad = socket.constructTLSSocketInstance()
    try:
        await bad.connect({"address": A(CFG["tls_echo"]), "secureOptions": {"ca": CFG["other_ca_pem"]}})
    except BusinessError as err:
        print("wrong CA:", err.code, err.message)

netstack.run(tls())
gc.collect()
print("\nheap free at the end:", gc.mem_free())
