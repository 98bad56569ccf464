# transport/ on CPython through the shim: the same seam the device test (tests/device/
# test_transport.py) proves on MicroPython. Dial + listen/accept on one Conn type,
# addresses, writers taking turns, close() stopping a reader, TLS server side, UDP, stages.
import asyncio
import base64
import os
import sys
import tempfile

import pytest

import netstack
from netstack import _port
from netstack.transport import stream, tls
from netstack.transport.dial import dial
from netstack.transport.listen import Listener
from netstack.transport.udp import Datagram

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "peers"))
from peers_certs import make_pki  # noqa: E402


@pytest.fixture(scope="module")
def cfg():
    with tempfile.TemporaryDirectory() as d:
        yield make_pki(d)[0]


async def pair(ls, ctx=None, sni=None):
    t = asyncio.ensure_future(dial("127.0.0.1", ls.local_address()[1], ctx, sni))
    a = await ls.accept()
    return await t, a


async def read_n(c, n):
    buf = bytearray(n)
    mv = memoryview(buf)
    got = 0
    while got < n:
        k = await c.readinto(mv[got:])
        if not k:
            break
        got += k
    return bytes(buf[:got])


def test_dial_accept_addresses_and_bytes():
    async def main():
        ls = Listener("127.0.0.1", 0)
        host, port, fam = ls.local_address()
        assert (host, fam) == ("127.0.0.1", 4) and port > 0
        c, a = await pair(ls)
        assert c.remote_address() == ("127.0.0.1", port, 4)
        assert a.local_address() == ("127.0.0.1", port, 4)
        assert a.remote_address() == c.local_address()  # CPython can tell its own address
        await c.write(b"ping")
        assert await read_n(a, 4) == b"ping"
        assert c.stage == stream.OPEN
        for x in (c, a, ls):
            x.close()
    netstack.run(main())


def test_two_writers_take_turns():
    async def main():
        ls = Listener("127.0.0.1", 0)
        c, a = await pair(ls)
        _port.sockopt(a.s, "sndbuf", 2048)
        _port.sockopt(c.s, "rcvbuf", 2048)
        B, N = 4096, 12

        async def writer(ch):
            for _ in range(N):
                await a.write(bytes([ch]) * B)

        ws = [asyncio.ensure_future(writer(0x41)), asyncio.ensure_future(writer(0x42))]
        counts = {0x41: 0, 0x42: 0}
        for i in range(2 * N):
            blk = await read_n(c, B)
            assert blk == bytes([blk[0]]) * B, "interleaved in block %d" % i
            counts[blk[0]] += 1
        await asyncio.gather(*ws)
        assert counts == {0x41: N, 0x42: N} and a.wq is None
        for x in (c, a, ls):
            x.close()
    netstack.run(main())


def test_close_stops_reader_and_accept():
    async def main():
        ls = Listener("127.0.0.1", 0)
        c, a = await pair(ls)
        r = asyncio.ensure_future(c.readinto(bytearray(8)))
        await asyncio.sleep(0.02)
        assert not r.done()
        c.close()
        assert await asyncio.wait_for(r, 2) == 0
        with pytest.raises(OSError):
            await c.write(b"x")
        assert await a.readinto(bytearray(8)) == 0
        a.close()
        t = asyncio.ensure_future(ls.accept())
        await asyncio.sleep(0.02)
        ls.close()
        with pytest.raises(stream.NetError) as ei:
            await asyncio.wait_for(t, 2)
        assert ei.value.stage == stream.CONNECT
    netstack.run(main())


def test_stages_of_dial_errors():
    async def main():
        with pytest.raises(stream.NetError) as ei:
            await dial("no-such-host.invalid", 80)
        assert ei.value.stage == stream.RESOLVE
        ls = Listener("127.0.0.1", 0)
        port = ls.local_address()[1]
        ls.close()
        try:
            c = await dial("127.0.0.1", port)
            await c.write(b"x")
            await c.readinto(bytearray(1))
            raise AssertionError("connected to a closed port")
        except stream.NetError as e:
            assert e.stage == stream.CONNECT and e.code
        except OSError as e:
            assert stream.error(c, e).stage == stream.CONNECT
    netstack.run(main())


def test_tls_server_side_and_untrusted(cfg):
    d = lambda k: base64.b64decode(cfg[k])
    sctx = tls.context(True, cert=d("client_cert_der_b64"), key=d("client_key_der_b64"))

    async def main():
        ls = Listener("127.0.0.1", 0)
        c, a = await pair(ls, tls.context(False, ca=[d("ca_der_b64")]), "client.peers.invalid")
        a.start_tls(sctx, server_side=True)
        w = asyncio.ensure_future(c.write(b"hello over tls"))
        assert await read_n(a, 14) == b"hello over tls"
        await w
        await a.write(b"back")
        assert await read_n(c, 4) == b"back"
        c.close()
        a.close()
        c, a = await pair(ls, tls.context(False, ca=[d("other_ca_der_b64")]), "client.peers.invalid")
        a.start_tls(sctx, server_side=True)
        srv = asyncio.ensure_future(a.readinto(bytearray(16)))
        with pytest.raises((OSError, ValueError)) as ei:
            await c.write(b"x")
            await c.readinto(bytearray(4))
        assert stream.error(c, ei.value).stage == stream.TLS
        c.close()
        try:
            await asyncio.wait_for(srv, 2)
        except (OSError, ValueError):
            pass
        a.close()
        ls.close()
    netstack.run(main())
    with pytest.raises(stream.NetError) as ei:
        tls.context(False)
    assert ei.value.stage == stream.LOAD_CA
    with pytest.raises(stream.NetError) as ei:
        tls.context(True, cert=b"junk", key=b"junk")
    assert ei.value.stage == stream.LOAD_CERT


def test_udp_roundtrip_and_close():
    async def main():
        u1 = Datagram("127.0.0.1", 0)
        u2 = Datagram("127.0.0.1", 0)
        p1 = u1.local_address()[1]
        assert u1.option("reuseaddr", 1) is True and u1.option("nope", 1) is False
        fam, sa = Datagram.sockaddr("127.0.0.1", p1)
        assert await u2.sendto(b"dgram", sa) == 5
        data, frm = await u1.recvfrom(64)
        assert data == b"dgram" and _port.addr(frm) == u2.local_address()
        r = asyncio.ensure_future(u1.recvfrom(64))
        await asyncio.sleep(0.02)
        u1.close()
        assert await asyncio.wait_for(r, 2) is None
        u2.close()
    netstack.run(main())
