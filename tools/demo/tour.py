# The `make demo` tour, run on the MicroPython unix port against local servers.
# CFG (the peers' addresses) is prepended by tools/demo.py.
import gc
import netstack
from netstack import BusinessError

print("== core: BusinessError, events, run")
e = BusinessError(2300028)
print("BusinessError(2300028):", e.code, e.message)

print("\n== @system.fetch")
from netstack import fetch
fetch.fetch({"url": CFG["httpbin"] + "/get", "data": {"hello": "board"}, "responseType": "json",
             "success": lambda r: print("success", r["code"], r["data"]["args"]),
             "fail": lambda msg, code: print("fail", code, msg),
             "complete": lambda: print("complete")})
netstack.run()

print("\n== @ohos.net.http: request with header events")
from netstack import http
req = http.createHttp()
req.on("headersReceive", lambda h: print("headersReceive content-type:", h.get("content-type")))
r = netstack.run(req.request(CFG["httpbin"] + "/redirect/2", {"expectDataType": http.HttpDataType.OBJECT}))
print("responseCode", r.responseCode, "resultType", r.resultType, "url", r.result["url"])
r = netstack.run(req.request(CFG["httpbins"] + "/get", {"caData": CFG["ca_pem"]}))
print("https (verified against the local CA):", r.responseCode)
try:
    netstack.run(req.request(CFG["hostile"] + "/bad-chunk"))
except BusinessError as err:
    print("hostile server:", err.code, err.message)
pin = {"publicKeyHash": CFG["spki_sha256_b64"], "hashAlgorithm": "SHA-256"}
r = netstack.run(req.request(CFG["httpbins"] + "/get", {"caData": CFG["ca_pem"], "certificatePinning": pin}))
print("https with certificatePinning (the server's key):", r.responseCode)
try:
    pin["publicKeyHash"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    netstack.run(req.request(CFG["httpbins"] + "/get", {"caData": CFG["ca_pem"], "certificatePinning": pin}))
except BusinessError as err:
    print("https with a wrong pin:", err.code, err.message)
req.destroy()

print("\n== HttpResponseCache: a fresh response is answered from RAM")
from netstack import _port
_port.CACHE_DIR = "demo-cache"  # on a board: /cache on its flash
cache = http.createHttpResponseCache()
req = http.createHttp()
for i in range(2):
    r = netstack.run(req.request(CFG["httpbin"] + "/cache/60"))
    print("GET /cache/60:", r.responseCode, "from the cache" if "age" in r.header else "from the network")
netstack.run(cache.delete())
req.destroy()

print("\n== requestInStream: 5 MB with progress")
req = http.createHttp()
seen = [0]


def progress(p):
    if p["receiveSize"] - seen[0] >= 1000000 or p["receiveSize"] == p["totalSize"]:
        seen[0] = p["receiveSize"]
        print("dataReceiveProgress %d / %d" % (p["receiveSize"], p["totalSize"]))


req.on("dataReceive", lambda b: None)
req.on("dataReceiveProgress", progress)
req.on("dataEnd", lambda: print("dataEnd"))
print("requestInStream ->", netstack.run(req.requestInStream(CFG["hostile"] + "/big?n=5000000")))

print("\n== @ohos.net.socket: TCP echo with events")
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
