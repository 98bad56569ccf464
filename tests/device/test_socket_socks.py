# timeout: 120
# SOCKS5 proxy (ProxyOptions) on MicroPython against real proxies run by the peers:
# Dante without authentication (TCP CONNECT, UDP ASSOCIATE), pproxy with a username and
# password; the 2301206-2301213 codes; a target that speaks first (its greeting arrives
# with the proxy's reply, and is the first message).
# include: socket_support
import gc
C = {k: CFG.get(k) for k in ("tcp_echo", "udp_echo", "closed_port")}
C["socks5"], C["socks5_auth"] = CFG["socks5"]
CFG = None
gc.collect()
import asyncio
import netstack
from netstack import socket as ns, BusinessError


WAIT_MS = 8000


def A(port):
    return {"address": "127.0.0.1", "port": port}


def P(key, **kw):
    d = {"type": ns.ProxyTypes.SOCKS5, "address": A(C[key])}
    for k in kw:
        d[k] = kw[k]
    return d


async def main():
    assert C["socks5"], "no SOCKS5 peer (dante-server: .ci/run installs it)"
    s = ns.constructTCPSocketInstance()
    got = []
    s.on("message", got.append)
    await s.connect({"address": A(C["tcp_echo"]), "proxy": P("socks5")})
    ra = await s.getRemoteAddress()
    assert ra["port"] == C["tcp_echo"], ra
    await s.send({"data": "via socks"})
    await until(lambda: got)
    assert got[0]["message"] == b"via socks", got
    await s.close()
    u = ns.constructUDPSocketInstance()
    ug = []
    u.on("message", ug.append)
    await u.setExtraOptions({"receiveBufferSize": 1024})  # small reads for a small heap
    await u.bind({"address": "127.0.0.1"})
    await u.send({"data": "dgram", "address": A(C["udp_echo"]), "proxy": P("socks5")})
    await until(lambda: ug)
    assert ug[0]["message"] == b"dgram" and ug[0]["remoteInfo"]["port"] == C["udp_echo"], ug
    await u.close()
    assert await code(ns.constructTCPSocketInstance().connect(
        {"address": A(C["closed_port"]), "proxy": P("socks5")})) == 2301208
    a = ns.constructTCPSocketInstance()
    ag = []
    a.on("message", ag.append)
    await a.connect({"address": A(C["tcp_echo"]), "proxy": P("socks5_auth", username="u", password="p")})
    await a.send({"data": "authed"})
    await until(lambda: ag)
    await a.close()
    for proxy, want in ((P("socks5_auth", username="u", password="bad"), 2301207),
                        (P("socks5_auth"), 2301209),
                        ({"type": 1, "address": A(C["closed_port"])}, 2301206)):
        c = await code(ns.constructTCPSocketInstance().connect(
            {"address": A(C["tcp_echo"]), "proxy": proxy}))
        assert c == want, (proxy, c)
    await banner()
    print("socks ok")


async def banner():
    # The target greets as soon as it accepts: Dante relays the greeting right after its
    # reply, so the client's read of the reply can find the greeting behind it. Before,
    # connect failed then with 2301213 ("bytes after the proxy's reply"); they are the
    # application's first message. To make that read find both, the loop is held (the
    # blocking poll below) from the target's accept until the greeting has gone through.
    import socket, select, time
    from netstack import _port
    from netstack.transport import tcp
    L = socket.socket()
    port = _port.addr(tcp.bind(L, "127.0.0.1", 0))[1]
    L.listen(1)
    p = select.poll()
    p.register(L, select.POLLIN)
    s = ns.constructTCPSocketInstance()
    got = []
    s.on("message", got.append)
    t = asyncio.create_task(s.connect({"address": A(port), "proxy": P("socks5")}))
    a = None
    for i in range(200):
        if p.poll(20):
            a = L.accept()[0]
            a.write(b"220 ready\r\n")
            time.sleep_ms(100)
            break
        await asyncio.sleep_ms(0)
    assert a is not None, "the proxy did not connect to the target"
    await t
    await until(lambda: got)
    assert got[0]["message"] == b"220 ready\r\n", got
    await s.send({"data": "after"})
    a.setblocking(True)
    assert a.read(5) == b"after"
    await s.close()
    a.close()
    L.close()


netstack.run(main())
print("OK")
