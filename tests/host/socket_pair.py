# Two MicroPython processes talking through netstack.socket (the two-instance test of
# tests/host/test_socket_pair.py runs this as `a` and `b` in one network namespace).
# a: TCP server, UDP socket, TLS server, multicast member; answers in upper case.
# b: the clients; checks every answer, prints "b done", tells a to stop.
import sys
import asyncio
import netstack
from netstack import socket as ns

role, d = sys.argv[1], sys.argv[2]
TCP, UDP, TLS, MC = 41001, 41002, 41003, 41004
G = {"address": "239.7.7.7", "port": MC}


def A(p):
    return {"address": "127.0.0.1", "port": p}


def read(name):
    with open(d + "/" + name) as f:
        return f.read()


async def until(pred, ms=10000):
    while not pred():
        if ms <= 0:
            raise AssertionError("timed out")
        await asyncio.sleep_ms(10)
        ms -= 10


async def side_a():
    stop = []

    def echo(c):
        def on_msg(m):
            if m["message"] == b"bye":
                stop.append(1)
            c.send({"data": m["message"].upper()}, lambda e, x: None)
        c.on("message", on_msg)
    srv = ns.constructTCPSocketServerInstance()
    srv.on("connect", echo)
    await srv.listen(A(TCP))
    tls = ns.constructTLSSocketServerInstance()
    tls.on("connect", echo)
    await tls.listen({"address": A(TLS), "secureOptions": {"cert": read("cert.pem"),
                                                           "key": read("key.pem")}})
    u = ns.constructUDPSocketInstance()
    u.on("message", lambda m: u.send({"data": m["message"].upper(), "address": {
        "address": m["remoteInfo"]["address"], "port": m["remoteInfo"]["port"]}},
        lambda e, x: None))
    await u.bind(A(UDP))
    mc = ns.constructMulticastSocketInstance()
    # a group datagram "mc PORT" is answered by unicast to PORT (the sender's UDP socket)
    mc.on("message", lambda m: u.send({"data": b"MC:" + m["message"], "address": A(
        int(m["message"].split()[1]))}, lambda e, x: None))
    await mc.addMembership(G)
    open(d + "/ready", "w").close()
    print("a ready")
    await until(lambda: stop, 30000)
    for x in (srv, tls, u, mc):
        await x.close()
    print("a done")


async def side_b():
    got = {"tcp": [], "tls": [], "udp": []}
    t = ns.constructTCPSocketInstance()
    t.on("message", lambda m: got["tcp"].append(m["message"]))
    await t.connect({"address": A(TCP)})
    await t.send({"data": "tcp hello"})
    await until(lambda: got["tcp"])
    assert got["tcp"] == [b"TCP HELLO"], got
    s = ns.constructTLSSocketInstance()
    s.on("message", lambda m: got["tls"].append(m["message"]))
    await s.connect({"address": A(TLS), "secureOptions": {"ca": read("ca.pem")}})
    await s.send({"data": "tls hello"})
    await until(lambda: got["tls"])
    assert got["tls"] == [b"TLS HELLO"], got
    u = ns.constructUDPSocketInstance()
    u.on("message", lambda m: got["udp"].append(m["message"]))
    await u.bind(A(0))
    await u.send({"data": "udp hello", "address": A(UDP)})
    await until(lambda: got["udp"])
    assert got["udp"] == [b"UDP HELLO"], got
    mc = ns.constructMulticastSocketInstance()
    await mc.addMembership(G)
    up = (await u.getLocalAddress())["port"]
    await mc.send({"data": "mc %d" % up, "address": G})
    await until(lambda: ("MC:mc %d" % up).encode() in got["udp"])
    await t.send({"data": "bye"})
    await until(lambda: len(got["tcp"]) == 2)
    for x in (t, s, u, mc):  # (a, done, exits at once: its FIN may have closed t and s)
        if not (await x.getState())["isClose"]:
            await x.close()
    print("b done")


if role == "a":
    netstack.run(side_a())
else:
    import os
    for i in range(500):
        try:
            os.stat(d + "/ready")
            break
        except OSError:
            import time
            time.sleep_ms(20)
    netstack.run(side_b())
