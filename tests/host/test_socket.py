# @ohos.net.socket on CPython through the shim: TCP client and server, UDP, multicast,
# against CPython socket peers (tests/peers: tcp_echo, udp_echo) and each other.
import asyncio
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

import pytest
import netstack
from netstack import BusinessError
from netstack import socket as ns

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def cfg(peers):
    return peers[1]  # the session's peers (conftest)


run = netstack.run


async def until(pred, seconds=5.0, what="condition"):
    t = time.monotonic() + seconds
    while not pred():
        if time.monotonic() > t:
            raise AssertionError("%s not met in %.1f s" % (what, seconds))
        await asyncio.sleep(0.005)


def code(aw):
    with pytest.raises(BusinessError) as ei:
        run(aw)
    return ei.value.code


def at_call(fn, *a):
    # the code a call raises at once (401: bad arguments, as OpenHarmony throws them)
    with pytest.raises(BusinessError) as ei:
        fn(*a)
    return ei.value.code


def A(port, ip="127.0.0.1", family=None):
    a = {"address": ip, "port": port}
    if family:
        a["family"] = family
    return a


# ---- TCP client ----------------------------------------------------------------------

def test_tcp_echo_events_state_addresses(cfg):
    s = ns.constructTCPSocketInstance()
    ev, msgs = [], []
    s.on("connect", lambda: ev.append("connect"))
    s.on("close", lambda: ev.append("close"))
    s.on("message", lambda m: msgs.append(m))

    async def main():
        assert await s.getState() == {"isBound": False, "isClose": False, "isConnected": False}
        assert await s.getSocketFd() == -1
        await s.connect({"address": A(cfg["tcp_echo"])})
        assert await s.getState() == {"isBound": True, "isClose": False, "isConnected": True}
        assert await s.getRemoteAddress() == {"address": "127.0.0.1", "family": 1,
                                              "port": cfg["tcp_echo"]}
        la = await s.getLocalAddress()
        assert la["address"] == "127.0.0.1" and la["family"] == 1 and la["port"] > 0
        assert await s.getSocketFd() > 2
        await s.send({"data": "héllo"})
        await s.send({"data": b" bytes", "encoding": "utf-8"})
        await until(lambda: sum(m["remoteInfo"]["size"] for m in msgs) == 12)
        ri = msgs[0]["remoteInfo"]
        assert ri["address"] == "127.0.0.1" and ri["family"] == "IPv4"
        assert ri["port"] == cfg["tcp_echo"]
        assert b"".join(m["message"] for m in msgs) == "héllo bytes".encode()
        assert all(type(m["message"]) is bytes for m in msgs)
        await s.close()
        assert await s.getState() == {"isBound": False, "isClose": True, "isConnected": False}
    run(main())
    assert ev == ["connect", "close"]


def test_tcp_callback_forms(cfg):
    s = ns.constructTCPSocketInstance()
    out = []
    s.connect({"address": A(cfg["tcp_echo"])}, lambda e, d: out.append(("connect", e, d)))
    run(until(lambda: out))  # run() alone would wait for the open socket to close
    s.getState(lambda e, d: out.append(("state", e, d["isConnected"])))
    s.close(lambda e, d: out.append(("close", e, d)))
    s.close(lambda e, d: out.append(("close2", e.code if e else None)))
    run()  # nothing holds the loop once the socket is closed
    assert out[:2] == [("connect", None, None), ("state", None, True)]
    # the first close() yields once (so its reader ends) before calling back
    assert sorted(out[2:]) == [("close", None, None), ("close2", 2300999)]


def test_tcp_bind_then_connect_uses_the_bound_port(cfg):
    seen = []

    async def main():
        s = ns.constructTCPSocketInstance()
        await s.bind({"address": "127.0.0.1", "port": 0})
        st = await s.getState()
        assert st["isBound"] and not st["isConnected"]
        la = await s.getLocalAddress()
        assert la["port"] > 0
        await s.connect({"address": A(cfg["tcp_echo"])})
        assert (await s.getLocalAddress())["port"] == la["port"]
        seen.append(la["port"])
        await s.close()
    run(main())


def test_bad_arguments_raise_401_at_the_call_in_every_class(tmp_path):
    # OpenHarmony throws 401 synchronously: every socket method with arguments raises at
    # the call, before an operation exists, in both call styles (the callback never runs);
    # errors of the system (a bind address that is no IP: 2301099) still come from the
    # operation
    called = []
    cb = lambda e, d: called.append(e)  # noqa: E731
    bad_addr = {"address": "127.0.0.1", "port": 70000}
    tcp, udp = ns.constructTCPSocketInstance(), ns.constructUDPSocketInstance()
    m, srv = ns.constructMulticastSocketInstance(), ns.constructTCPSocketServerInstance()
    tls, tlss = ns.constructTLSSocketInstance(), ns.constructTLSSocketServerInstance()
    calls = [(tcp.bind, bad_addr), (tcp.connect, {"address": bad_addr}), (tcp.send, {"data": 1}),
             (tcp.setExtraOptions, {"keepAlive": 1}), (srv.listen, {"address": "::1", "family": 1}),
             (srv.setExtraOptions, 5), (udp.bind, None), (udp.send, {"data": "x"}),
             (udp.send, {"data": None, "address": A(1)}), (udp.setExtraOptions, {"broadcast": 0}),
             (m.addMembership, {"address": ""}), (m.dropMembership, 7), (m.setMulticastTTL, -1),
             (m.setLoopbackMode, "on"), (tls.connect, {"address": A(1), "secureOptions": {"ca": 1}}),
             (tls.connect, {"address": A(1), "skipRemoteValidation": 1}), (tls.send, {}),
             (tlss.listen, {"address": A(0), "secureOptions": {}}), (tlss.listen, None)]
    if sys.platform != "win32":
        loc, locs = ns.constructLocalSocketInstance(), ns.constructLocalSocketServerInstance()
        calls += [(loc.bind, {"address": ""}), (loc.connect, {"address": {"address": "x"}, "timeout": -1}),
                  (loc.send, {"data": 2}), (locs.listen, {})]
    for fn, arg in calls:
        assert at_call(fn, arg) == 401, (fn, arg)
        assert at_call(fn, arg, cb) == 401, (fn, arg)
    run(asyncio.sleep(0.01))
    assert called == []
    op = tcp.bind({"address": "not-an-ip"})  # no raise here: a system error, from the run
    assert code(op) == 2301099
    run(tcp.close())
    run(udp.close())


def test_tcp_errors(cfg):
    s = ns.constructTCPSocketInstance()
    assert code(s.connect({"address": A(cfg["closed_port"])})) == 2301111
    assert code(s.send({"data": "x"})) == 2301009          # never connected
    assert code(s.getRemoteAddress()) == 2301107
    assert code(s.bind({"address": "192.0.2.77", "port": 0})) == 2301099  # not ours
    assert code(s.bind({"address": "not-an-ip"})) == 2301099
    # 401: bad shapes
    for bad in (None, "127.0.0.1", {"address": A(99999)}, {"address": {"port": 1}},
                {"address": A(1, "::1", 1)}, {"address": A(1, "127.0.0.1", 2)},
                {"address": A(1, family=3)}, {"address": A(True)},
                {"address": A(1), "timeout": -1}, {"address": A(1), "timeout": "5"}):
        assert at_call(s.connect, bad) == 401, bad
    s2 = ns.constructTCPSocketInstance()
    run(s2.connect({"address": A(cfg["tcp_echo"])}))
    for bad in (None, "text", {"data": 5}, {"data": None}, {}):
        assert at_call(s2.send, bad) == 401, bad
    assert code(s2.connect({"address": A(cfg["tcp_echo"])})) == 2301106  # already connected
    run(s2.close())
    assert code(s2.send({"data": "x"})) == 2301009
    assert code(s2.close()) == 2300999
    assert code(s2.connect({"address": A(cfg["tcp_echo"])})) == 2301009
    with pytest.raises(BusinessError) as ei:
        s2.close(5)  # a callback that is not a function: at once
    assert ei.value.code == 401


def test_tcp_peer_fin_gives_close_and_reset_gives_error_then_close(cfg):
    for word, want in ((b"CLOSE\n", ["close"]), (b"RESET\n", ["error", "close"])):
        s = ns.constructTCPSocketInstance()
        ev = []
        s.on("close", lambda: ev.append("close"))
        s.on("error", lambda e: ev.append(("error", e.code)))

        async def main():
            await s.connect({"address": A(cfg["tcp_echo"])})
            await s.send({"data": word})
            await until(lambda: "close" in ev)
            assert (await s.getState())["isClose"]
        run(main())
        assert [x if x == "close" else x[0] for x in ev] == want, ev
        if word == b"RESET\n":
            assert ev[0] == ("error", 2301104)


def test_tcp_concurrent_sends_keep_their_order(cfg):
    s = ns.constructTCPSocketInstance()
    got = []
    s.on("message", lambda m: got.append(m["message"]))
    chunks = [bytes([65 + i % 26]) * (20000 + i) for i in range(12)]
    done = []

    async def main():
        await s.connect({"address": A(cfg["tcp_echo"])})
        for c in chunks:
            s.send({"data": c}, lambda e, d: done.append(e))
        await until(lambda: sum(map(len, got)) == sum(map(len, chunks)), 20)
        await s.close()
    run(main())
    assert done == [None] * len(chunks)
    assert b"".join(got) == b"".join(chunks)


def test_tcp_connect_by_name_and_localhost(cfg):
    async def main():
        s = ns.constructTCPSocketInstance()
        await s.connect({"address": {"address": "localhost", "port": cfg["tcp_echo"]}})
        ra = await s.getRemoteAddress()
        assert ra["address"] in ("127.0.0.1", "::1") and ra["port"] == cfg["tcp_echo"]
        await s.close()
    run(main())


def test_extra_options(cfg):
    async def main():
        s = ns.constructTCPSocketInstance()
        await s.setExtraOptions({"receiveBufferSize": 4096, "TCPNoDelay": True})
        await s.connect({"address": A(cfg["tcp_echo"])})
        await s.setExtraOptions({"keepAlive": True, "OOBInline": False, "reuseAddress": True,
                                 "sendBufferSize": 16384, "socketTimeout": 3000,
                                 "socketLinger": {"on": True, "linger": 1}})
        fd = await s.getSocketFd()
        raw = socket.socket(fileno=os.dup(fd))
        try:
            assert raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            assert raw.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
            assert struct.unpack("ii", raw.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)) == (1, 1)
        finally:
            raw.close()  # the dup only
        # what this port cannot do is reported, not dropped
        with pytest.raises(BusinessError) as ei:
            await s.setExtraOptions({"tcpFastOpen": True})
        assert ei.value.code == 2301095 and "tcpFastOpen" in ei.value.message
        for bad in ({"keepAlive": 1}, {"receiveBufferSize": -1},
                    {"socketLinger": {"on": True, "linger": 70000}}, None):
            with pytest.raises(BusinessError) as ei:
                s.setExtraOptions(bad)
            assert ei.value.code == 401
        await s.close()
    run(main())


# ---- TCP server ----------------------------------------------------------------------

def _client(port, data):
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.sendall(data)
    return c


def test_tcp_server_two_clients_echo_and_close_keeps_connections():
    srv = ns.constructTCPSocketServerInstance()
    conns = []
    closed = []

    def on_connect(c):
        conns.append(c)
        c.on("message", lambda m: c.send({"data": m["message"].upper()}, lambda e, d: None))
        c.on("close", lambda: closed.append(c.clientId))
    srv.on("connect", on_connect)

    async def main():
        await srv.listen({"address": "127.0.0.1", "port": 0})
        st = await srv.getState()
        assert st == {"isBound": True, "isClose": False, "isConnected": False}
        port = (await srv.getLocalAddress())["port"]
        assert port > 0
        loop = asyncio.get_running_loop()
        a = await loop.run_in_executor(None, _client, port, b"one")
        b = await loop.run_in_executor(None, _client, port, b"two")
        await until(lambda: len(conns) == 2)
        assert conns[1].clientId == conns[0].clientId + 1
        ra = await conns[0].getRemoteAddress()
        assert ra == {"address": "127.0.0.1", "family": 1, "port": a.getsockname()[1]}
        assert (await conns[0].getLocalAddress())["port"] == port
        assert await conns[0].getSocketFd() > 2
        assert await loop.run_in_executor(None, a.recv, 100) == b"ONE"
        assert await loop.run_in_executor(None, b.recv, 100) == b"TWO"
        await srv.close()            # stops listening; a and b stay connected
        assert (await srv.getState())["isClose"]
        with pytest.raises(ConnectionRefusedError):
            await loop.run_in_executor(None, _client, port, b"x")
        b.sendall(b"still")
        assert await loop.run_in_executor(None, b.recv, 100) == b"STILL"
        a.close()                    # peer FIN -> that connection's close event
        await until(lambda: closed == [conns[0].clientId])
        await conns[1].close()
        assert await loop.run_in_executor(None, b.recv, 100) == b""
        b.close()
        with pytest.raises(BusinessError) as ei:
            await conns[1].send({"data": "x"})
        assert ei.value.code == 2303109
    run(main())


def test_tcp_server_options_copied_and_busy_port():
    async def main():
        srv = ns.constructTCPSocketServerInstance()
        await srv.setExtraOptions({"TCPNoDelay": True, "receiveBufferSize": 2048})
        got = []
        srv.on("connect", got.append)
        await srv.listen({"address": "127.0.0.1", "port": 0})
        port = (await srv.getLocalAddress())["port"]
        c = ns.constructTCPSocketInstance()
        await c.connect({"address": A(port)})
        await until(lambda: got)
        fd = await got[0].getSocketFd()
        raw = socket.socket(fileno=os.dup(fd))
        assert raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        raw.close()
        # OpenHarmony: a busy port makes listen take any free port instead
        srv2 = ns.constructTCPSocketServerInstance()
        await srv2.listen({"address": "127.0.0.1", "port": port})
        p2 = (await srv2.getLocalAddress())["port"]
        assert p2 != port and p2 > 0
        with pytest.raises(BusinessError) as ei:
            await srv.listen({"address": "127.0.0.1", "port": 0})
        assert ei.value.code == 2303122
        with pytest.raises(BusinessError) as ei:
            srv.listen({"address": "::1", "family": 1})
        assert ei.value.code == 401
        for x in (c, got[0]):
            await x.close()
        await srv.close()
        await srv2.close()
        with pytest.raises(BusinessError) as ei:
            await srv.close()
        assert ei.value.code == 2300999
    run(main())


def test_tcp_server_client_limit(monkeypatch):
    from netstack import _port
    monkeypatch.setattr(_port, "MAX_CLIENTS", 2)

    async def main():
        srv = ns.constructTCPSocketServerInstance()
        got = []
        srv.on("connect", got.append)
        await srv.listen({"address": "127.0.0.1", "port": 0})
        port = (await srv.getLocalAddress())["port"]
        loop = asyncio.get_running_loop()
        cs = [await loop.run_in_executor(None, _client, port, b"") for _ in range(3)]
        await until(lambda: len(got) == 2)
        cs[2].settimeout(5)
        assert await loop.run_in_executor(None, cs[2].recv, 10) == b""  # closed at once
        await got[0].close()
        c4 = await loop.run_in_executor(None, _client, port, b"")
        await until(lambda: len(got) == 3)
        for c in cs + [c4]:
            c.close()
        await until(lambda: not srv._conns)
        await srv.close()
    run(main())


def test_netstack_client_to_netstack_server_bulk():
    async def main():
        srv = ns.constructTCPSocketServerInstance()
        total = [0]

        def on_connect(c):
            c.on("message", lambda m: total.__setitem__(0, total[0] + len(m["message"])))
        srv.on("connect", on_connect)
        await srv.listen({"address": "127.0.0.1", "port": 0})
        port = (await srv.getLocalAddress())["port"]
        c = ns.constructTCPSocketInstance()
        await c.connect({"address": A(port)})
        blob = bytes(range(256)) * 256
        for _ in range(40):
            await c.send({"data": blob})
        await until(lambda: total[0] == 40 * len(blob), 20)
        await c.close()
        await srv.close()
    run(main())


# ---- UDP -----------------------------------------------------------------------------

def test_udp_echo_events_and_state(cfg):
    u = ns.constructUDPSocketInstance()
    ev, msgs = [], []
    u.on("listening", lambda: ev.append("listening"))
    u.on("close", lambda: ev.append("close"))
    u.on("message", msgs.append)

    async def main():
        with pytest.raises(BusinessError) as ei:
            await u.send({"data": "x", "address": A(cfg["udp_echo"])})  # not bound yet
        assert ei.value.code == 2301009
        await u.bind({"address": "127.0.0.1", "port": 0})
        assert await u.getState() == {"isBound": True, "isClose": False, "isConnected": False}
        la = await u.getLocalAddress()
        assert la["port"] > 0
        await u.send({"data": "ping", "address": A(cfg["udp_echo"])})
        await u.send({"data": b"", "address": A(cfg["udp_echo"])})  # zero bytes are allowed
        await until(lambda: len(msgs) == 2)
        assert msgs[0] == {"message": b"ping", "remoteInfo": {
            "address": "127.0.0.1", "family": "IPv4", "port": cfg["udp_echo"], "size": 4}}
        assert msgs[1]["message"] == b"" and msgs[1]["remoteInfo"]["size"] == 0
        await u.setExtraOptions({"broadcast": True, "receiveBufferSize": 2048})
        with pytest.raises(BusinessError) as ei:
            u.setExtraOptions({"broadcast": "yes"})
        assert ei.value.code == 401
        for bad in ({"data": "x"}, {"data": 1, "address": A(1)},
                    {"data": "x", "address": A(70000)}):
            with pytest.raises(BusinessError) as ei:
                u.send(bad)
            assert ei.value.code == 401, bad
        await u.close()
        assert (await u.getState())["isClose"]
    run(main())
    assert ev == ["listening", "close"]


def test_udp_between_two_netstack_sockets_and_cpython():
    async def main():
        a, b = ns.constructUDPSocketInstance(), ns.constructUDPSocketInstance()
        got = []
        b.on("message", got.append)
        await a.bind({"address": "127.0.0.1"})
        await b.bind({"address": "127.0.0.1", "port": 0})
        pb = (await b.getLocalAddress())["port"]
        pa = (await a.getLocalAddress())["port"]
        for i in range(50):
            await a.send({"data": str(i), "address": A(pb)})
        await until(lambda: len(got) == 50)
        assert [m["message"] for m in got] == [str(i).encode() for i in range(50)]
        assert got[0]["remoteInfo"]["port"] == pa
        py = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        py.sendto(b"from cpython", ("127.0.0.1", pb))
        await until(lambda: len(got) == 51)
        assert got[50]["message"] == b"from cpython"
        py.close()
        await a.close()
        await b.close()
    run(main())


MCAST = r'''
import sys
sys.path[:0] = [%r, %r]
import netstack, asyncio
from netstack import socket as ns
async def main():
    a, b = ns.constructMulticastSocketInstance(), ns.constructMulticastSocketInstance()
    got = []
    b.on("message", got.append)
    g = {"address": "239.1.2.3", "port": 46001}
    await a.addMembership(g)
    await b.addMembership(g)
    assert await b.getLoopbackMode() is True and await b.getMulticastTTL() == 1
    await a.setMulticastTTL(2)
    assert await a.getMulticastTTL() == 2
    await a.send({"data": "to the group", "address": g})
    for i in range(200):
        if len(got) >= 1: break
        await asyncio.sleep(0.01)
    assert got and got[0]["message"] == b"to the group", got
    await b.dropMembership(g)
    await a.setLoopbackMode(False)  # on lo itself every packet comes back: get/set only
    assert await a.getLoopbackMode() is False
    await a.send({"data": "nobody", "address": g})
    await asyncio.sleep(0.2)
    assert len(got) == 1, got
    try:
        await a.addMembership({"address": "10.1.2.3", "port": 1})
    except netstack.BusinessError as e:
        assert e.code == 2301022
    await a.close(); await b.close()
    print("MCAST OK")
netstack.run(main())
'''


def test_multicast_in_an_isolated_namespace(tmp_path):
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode:
        pytest.skip("cannot make a network namespace here")
    script = tmp_path / "mc.py"
    script.write_text(MCAST % (os.path.join(ROOT, "ports", "cpython"), os.path.join(ROOT, "lib")))
    p = subprocess.run(["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
                        sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert "MCAST OK" in p.stdout, p.stdout + p.stderr


def test_multicast_argument_checks():
    m = ns.constructMulticastSocketInstance()
    assert at_call(m.setMulticastTTL, 256) == 401
    assert at_call(m.setLoopbackMode, 1) == 401
    assert code(m.addMembership({"address": "ff02::1", "family": 2})) == 2301097
    with pytest.raises(BusinessError) as ei:
        m.setReuseAddress("yes")
    assert ei.value.code == 401
    m.setReuseAddress(True)


def test_local_socket_and_tls_constructors_exist():
    assert callable(ns.constructTLSSocketInstance)
    assert callable(ns.constructLocalSocketInstance)
    assert ns.ProxyTypes.SOCKS5 == 1 and ns.Protocol.TLSv13 == "TLSv1.3"


# ---- TLS -----------------------------------------------------------------------------

def tls_opts(cfg, port, ca="ca_pem", **kw):
    o = {"address": A(port), "secureOptions": {"ca": cfg[ca]} if ca else {}}
    o.update(kw)
    return o


def test_tls_client_echo_getters(cfg):
    s = ns.constructTLSSocketInstance()
    ev, msgs = [], []
    s.on("connect", lambda: ev.append("connect"))
    s.on("close", lambda: ev.append("close"))
    s.on("message", msgs.append)

    async def main():
        await s.connect(tls_opts(cfg, cfg["tls_echo"]))
        st = await s.getState()
        assert st["isConnected"] and st["isBound"]
        rc = await s.getRemoteCertificate()
        assert rc["encodingFormat"] == 0 and rc["data"][:1] == b"\x30"  # DER SEQUENCE
        assert await s.getProtocol() in ("TLSv1.2", "TLSv1.3")
        cs = await s.getCipherSuite()
        assert isinstance(cs, list) and cs and isinstance(cs[0], str)
        assert await s.getSignatureAlgorithms() == []
        with pytest.raises(BusinessError) as ei:
            await s.getCertificate()  # none given
        assert ei.value.code == 2303501
        await s.send({"data": "secret"})
        await until(lambda: b"".join(m["message"] for m in msgs) == b"secret")
        assert (await s.getRemoteAddress())["port"] == cfg["tls_echo"]
        await s.close()
    run(main())
    assert ev == ["connect", "close"]


@pytest.mark.parametrize("nodelay", [False, True])
def test_tls_connect_gives_back_the_sockets_nagle_setting(cfg, nodelay):
    # Nagle is off while the client's handshake runs (mbedTLS writes a flight record by
    # record: the server's delayed ACK held the last ones 40 ms), then back to the
    # socket's own setting: TCPNoDelay, else the system's default (on)
    async def main():
        s = ns.constructTLSSocketInstance()
        if nodelay:
            await s.setExtraOptions({"TCPNoDelay": True})
        await s.connect(tls_opts(cfg, cfg["tls_echo"]))
        assert s._c.s.s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == int(nodelay)
        await s.close()
    run(main())


@pytest.mark.parametrize("peer,ca", [(None, "other_ca_pem"), (0, "ca_pem"), (1, "ca_pem"),
                                     (2, "ca_pem")])  # tls_bad: wrong host, expired, self-signed
def test_tls_verification_failures_2303504(cfg, peer, ca):
    s = ns.constructTLSSocketInstance()
    port = cfg["tls_echo"] if peer is None else cfg["tls_bad"][peer]
    assert code(s.connect(tls_opts(cfg, port, ca))) == 2303504
    assert run(s.getState())["isConnected"] is False


def test_tls_skip_remote_validation_lets_self_signed_through(cfg):
    async def main():
        s = ns.constructTLSSocketInstance()
        await s.connect(tls_opts(cfg, cfg["tls_bad"][2], None, skipRemoteValidation=True))
        got = []
        s.on("message", got.append)
        await s.send({"data": "hi"})
        await until(lambda: got)
        assert (await s.getRemoteCertificate())["data"][:1] == b"\x30"
        await s.close()
    run(main())


def test_tls_errors_and_arguments(cfg):
    s = ns.constructTLSSocketInstance()
    assert code(s.connect(tls_opts(cfg, cfg["closed_port"]))) == 2303211  # 2303100 + refused
    assert at_call(s.connect, {"address": A(1), "secureOptions": {"ca": 5}}) == 401
    assert at_call(s.connect, {"address": A(1), "secureOptions": {"protocols": "SSLv3"}}) == 401
    assert at_call(s.connect, {"address": A(1), "ALPNProtocols": "h2"}) == 401
    assert at_call(s.connect, {"address": A(1), "secureOptions": {"ca": "-----BEGIN CERTIFICATE-----\nAAA"}}) == 401
    # a plain TCP server that speaks no TLS: the handshake fails reading
    assert code(s.connect(tls_opts(cfg, cfg["tcp_echo"], timeout=3000))) in (2303502, 2303210)


def test_tls_failure_codes_tell_reads_from_writes():
    # an mbedTLS error (a negative code) is 2303503 where a send's write raised it, 2303502
    # where a read did (the reader, the handshake); verification 2303504; system errors
    # 2303100 + errno; a BusinessError as it is, out of memory 2300002
    from netstack import _sock_tls
    ssl_err = OSError(-0x7780, "MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE")
    t = ns.constructTLSSocketInstance()
    assert t._io_error(ssl_err, True).code == 2303503  # (what a send's failure passes)
    assert t._io_error(ssl_err, False).code == 2303502
    assert _sock_tls.tls_error(ValueError("verify failed")).code == 2303504
    assert _sock_tls.tls_error(OSError(104, "reset")).code == 2303204
    assert _sock_tls.tls_error(MemoryError()).code == 2300002
    assert _sock_tls.tls_error(BusinessError(2303210, "x")).code == 2303210
    assert ns.constructTCPSocketInstance()._io_error(ssl_err, True).code < 2303000


def test_tls_upgrade_of_a_connected_tcp_socket(cfg):
    async def main():
        t = ns.constructTCPSocketInstance()
        with pytest.raises(BusinessError) as ei:
            ns.constructTLSSocketInstance(t)
        assert ei.value.code == 2303602
        # the echo peer speaks TLS from the start: connect TCP there, then upgrade
        await t.connect({"address": A(cfg["tls_echo"])})
        s = ns.constructTLSSocketInstance(t)
        got = []
        s.on("message", got.append)
        await s.connect(tls_opts(cfg, cfg["tls_echo"]))
        await s.send({"data": "upgraded"})
        await until(lambda: b"".join(m["message"] for m in got) == b"upgraded")
        await s.close()
        t2 = ns.constructTCPSocketInstance()
        await t2.connect({"address": A(cfg["tcp_echo"])})
        await t2.close()
        with pytest.raises(BusinessError) as ei:
            ns.constructTLSSocketInstance(t2)
        assert ei.value.code == 2303601
        with pytest.raises(BusinessError) as ei:
            ns.constructTLSSocketInstance("nope")
        assert ei.value.code == 401
    run(main())


def test_tls_server_with_netstack_and_cpython_clients(cfg, tmp_path):
    import ssl
    srv = ns.constructTLSSocketServerInstance()
    conns = []

    def on_connect(c):
        conns.append(c)
        c.on("message", lambda m: c.send({"data": m["message"].upper()}, lambda e, d: None))
    srv.on("connect", on_connect)
    key = cfg["client_key_pem"]

    async def main():
        with pytest.raises(BusinessError) as ei:
            srv.listen({"address": A(0), "secureOptions": {}})  # no cert and key
        assert ei.value.code == 401
        # the mTLS client certificate is from the test CA and names a host only: as a
        # server certificate it is verified with skipRemoteValidation below
        await srv.listen({"address": A(0), "secureOptions": {
            "cert": cfg["client_cert_pem"], "key": key}})
        port = (await srv.getLocalAddress())["port"]
        oc = await srv.getCertificate()
        assert oc["data"][:1] == b"\x30"
        assert await srv.getProtocol() == "TLSv1.3"
        c = ns.constructTLSSocketInstance()
        got = []
        c.on("message", got.append)
        await c.connect({"address": A(port), "skipRemoteValidation": True})
        await c.send({"data": "abc"})
        await until(lambda: got)
        assert got[0]["message"] == b"ABC"
        loop = asyncio.get_running_loop()

        def py_client():
            ctx = ssl.create_default_context(cadata=cfg["ca_pem"])
            ctx.check_hostname = False
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
                    ctx.wrap_socket(raw) as t:
                t.sendall(b"xyz")
                return t.recv(10)
        assert await loop.run_in_executor(None, py_client) == b"XYZ"
        await until(lambda: len(conns) == 2)
        assert await conns[0].getCipherSuite()
        await c.close()
        await srv.close()
        for x in conns:
            try:
                await x.close()
            except BusinessError as e:
                assert e.code == 2300999  # closed already by its peer
    run(main())


# ---- local sockets -------------------------------------------------------------------

def test_local_socket_server_and_client(tmp_path):
    path = str(tmp_path / "ns.sock")
    srv = ns.constructLocalSocketServerInstance()
    conns = []

    def on_connect(c):
        conns.append(c)
        c.on("message", lambda m: c.send({"data": m["message"].upper()}, lambda e, d: None))
    srv.on("connect", on_connect)

    async def main():
        await srv.listen({"address": path})
        assert await srv.getLocalAddress() == path
        assert (await srv.getState())["isBound"]
        c = ns.constructLocalSocketInstance()
        got, ev = [], []
        c.on("message", got.append)
        c.on("connect", lambda: ev.append("connect"))
        c.on("close", lambda: ev.append("close"))
        await c.connect({"address": {"address": path}, "timeout": 2000})
        await c.send({"data": "local"})
        await until(lambda: got)
        assert got[0] == {"message": b"LOCAL", "address": path, "size": 5}
        await until(lambda: conns)
        assert conns[0].clientId > 0
        assert await conns[0].getLocalAddress() == path
        assert (await c.getExtraOptions())["receiveBufferSize"] > 0
        await c.setExtraOptions({"receiveBufferSize": 2048})
        assert (await c.getExtraOptions())["receiveBufferSize"] == 2048
        assert await c.getSocketFd() > 2
        # a Python AF_UNIX client too
        loop = asyncio.get_running_loop()

        def py():
            with socket.socket(socket.AF_UNIX) as p:
                p.settimeout(5)
                p.connect(path)
                p.sendall(b"py")
                return p.recv(10)
        assert await loop.run_in_executor(None, py) == b"PY"
        await c.close()
        assert ev == ["connect", "close"]
        await srv.close()
        for x in conns:
            try:
                await x.close()
            except BusinessError:
                pass
        # errors
        c2 = ns.constructLocalSocketInstance()
        with pytest.raises(BusinessError) as ei:
            await c2.connect({"address": {"address": str(tmp_path / "none.sock")}})
        assert ei.value.code == 2301002  # ENOENT
        with pytest.raises(BusinessError) as ei:
            c2.connect({"address": {"address": ""}})
        assert ei.value.code == 401
        s2 = ns.constructLocalSocketServerInstance()
        with pytest.raises(BusinessError) as ei:
            await s2.listen({"address": path})  # the path exists
        assert ei.value.code == 2301098
    run(main())


# ---- SOCKS5 proxy (Dante without auth: TCP + UDP; pproxy with username/password) ------

def P(cfg, key, **kw):
    d = {"type": ns.ProxyTypes.SOCKS5, "address": A(cfg["socks5"][key == "socks5_auth"])}
    d.update(kw)
    return d


def test_socks5_tcp_tls_and_udp_through_dante(cfg):
    if not cfg["socks5"][0]:
        pytest.fail("no SOCKS5 peer: install dante-server (.ci/run does)")

    async def main():
        s = ns.constructTCPSocketInstance()
        got = []
        s.on("message", got.append)
        await s.connect({"address": A(cfg["tcp_echo"]), "proxy": P(cfg, "socks5")})
        assert await s.getRemoteAddress() == {"address": "127.0.0.1", "family": 1,
                                              "port": cfg["tcp_echo"]}
        await s.send({"data": "via socks"})
        await until(lambda: got, what="TCP echo through Dante")
        assert got[0]["message"] == b"via socks" and got[0]["remoteInfo"]["port"] == cfg["tcp_echo"]
        await s.close()
        t = ns.constructTLSSocketInstance()
        tg = []
        t.on("message", tg.append)
        await t.connect({"address": A(cfg["tls_echo"]), "secureOptions": {"ca": cfg["ca_pem"]},
                         "proxy": P(cfg, "socks5")})
        await t.send({"data": "tls via socks"})
        await until(lambda: tg, what="TLS echo through Dante")
        assert tg[0]["message"] == b"tls via socks"
        await t.close()
        u = ns.constructUDPSocketInstance()
        ug = []
        u.on("message", ug.append)
        await u.bind({"address": "127.0.0.1"})
        for i in range(3):
            await u.send({"data": "d%d" % i, "address": A(cfg["udp_echo"]), "proxy": P(cfg, "socks5")})
        await until(lambda: len(ug) == 3, what="3 UDP echoes through Dante")
        assert sorted(m["message"] for m in ug) == [b"d0", b"d1", b"d2"]
        assert ug[0]["remoteInfo"]["port"] == cfg["udp_echo"] and ug[0]["remoteInfo"]["size"] == 2
        await u.close()
        with pytest.raises(BusinessError) as ei:  # the proxy cannot reach the target
            await ns.constructTCPSocketInstance().connect(
                {"address": A(cfg["closed_port"]), "proxy": P(cfg, "socks5")})
        assert ei.value.code == 2301208
        with pytest.raises(BusinessError) as ei:  # a name over 255 bytes
            await ns.constructTCPSocketInstance().connect(
                {"address": {"address": "a" * 300, "port": 1}, "proxy": P(cfg, "socks5")})
        assert ei.value.code == 2301212
    run(main())


def test_socks5_authentication_through_pproxy(cfg):
    async def main():
        s = ns.constructTCPSocketInstance()
        got = []
        s.on("message", got.append)
        await s.connect({"address": A(cfg["tcp_echo"]),
                         "proxy": P(cfg, "socks5_auth", username="u", password="p")})
        await s.send({"data": "authed"})
        await until(lambda: got)
        await s.close()
        for proxy, want in ((P(cfg, "socks5_auth", username="u", password="bad"), 2301207),
                            (P(cfg, "socks5_auth"), 2301209),
                            ({"type": 1, "address": A(cfg["closed_port"])}, 2301206)):
            with pytest.raises(BusinessError) as ei:
                await ns.constructTCPSocketInstance().connect(
                    {"address": A(cfg["tcp_echo"]), "proxy": proxy})
            assert ei.value.code == want, (proxy, ei.value)
        for bad in ({"type": 7, "address": A(1)}, {"type": 1}, "socks5://x"):
            with pytest.raises(BusinessError) as ei:
                ns.constructTCPSocketInstance().connect(
                    {"address": A(cfg["tcp_echo"]), "proxy": bad})
            assert ei.value.code == 401
    run(main())


# ---- netstack.debug ------------------------------------------------------------------

def test_debug_lines_for_sockets(cfg, capsys):
    # docs/core.md's log lines: `listen` / `accept` from a server, `connect` for a client
    # socket, `TLS name` before a TLS client's handshake; nothing once debug is off
    srv = ns.constructTCPSocketServerInstance()
    cli = ns.constructTCPSocketInstance()
    tls = ns.constructTLSSocketInstance()

    async def main():
        await srv.listen(A(0))
        port = (await srv.getLocalAddress())["port"]
        await cli.connect({"address": A(port)})
        await tls.connect(tls_opts(cfg, cfg["tls_echo"]))
        await cli.close()
        await tls.close()
        await srv.close()
        return port

    netstack.debug(True)
    try:
        port = run(main())
    finally:
        netstack.debug(False)
    text = "\n".join(l for l in capsys.readouterr().out.splitlines() if l.startswith("netstack:"))
    for want in ("netstack: listen ('127.0.0.1', %d, 4)" % port,
                 "netstack: connect ('127.0.0.1', %d, 4)" % port, "netstack: accept ('127.0.0.1', ",
                 "netstack: connect ('127.0.0.1', %d, 4)" % cfg["tls_echo"], "netstack: tls 127.0.0.1"):
        assert want in text, (want, text)
    srv2 = ns.constructTCPSocketServerInstance()
    run(srv2.listen(A(0)))
    run(srv2.close())
    assert "netstack:" not in capsys.readouterr().out
