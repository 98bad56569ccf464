# transport/: dial + listen/accept on one Conn type, addresses, writers taking turns,
# a reader stopped by close(), TLS server side (start_tls(server_side=True)), UDP, errors
# with stages. Everything against itself on 127.0.0.1; TLS with --peers' certificates.
import gc
import binascii
import asyncio
T = {k: CFG[k] for k in ("ca_der_b64", "client_cert_der_b64", "client_key_der_b64") if k in CFG}
CFG = None
gc.collect()
from netstack import _port
from netstack.transport import stream
from netstack.transport.dial import dial
from netstack.transport.listen import Listener
from netstack.transport.udp import Datagram


def listener():
    # MicroPython cannot tell the port bound for 0 (no getsockname): try a few
    import random
    for i in range(20):
        p = 20000 + random.getrandbits(14)
        try:
            return Listener("127.0.0.1", p), p
        except stream.NetError as e:
            assert e.stage == stream.CONNECT and e.code, (e.stage, e.code)
    raise AssertionError("no free port")


async def pair(ls, port, ctx=None, sni=None):
    t = asyncio.create_task(dial("127.0.0.1", port, ctx, sni))
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


async def main():
    ls, port = listener()
    assert ls.local_address() == ("127.0.0.1", port, 4), ls.local_address()
    c, a = await pair(ls, port)
    # addresses: the dialed side knows its peer; the accepted side its peer and own
    assert c.remote_address() == ("127.0.0.1", port, 4), c.remote_address()
    ra = a.remote_address()
    assert ra[0] == "127.0.0.1" and ra[2] == 4 and ra[1] > 0, ra
    assert a.local_address() == ("127.0.0.1", port, 4), a.local_address()
    assert a.stage == stream.OPEN and c.stage == stream.CONNECT
    await c.write(b"ping")
    assert await read_n(a, 4) == b"ping" and c.stage == stream.OPEN

    # two writers at once on one Conn: they take turns, each write() whole and in order
    # (two tasks waiting on one socket direction would otherwise lose one in the poller)
    B = 4096
    N = 12
    # small kernel buffers, so that writes block part-way and the two writers really meet
    assert _port.sockopt(a.s, "sndbuf", 2048) and _port.sockopt(c.s, "rcvbuf", 2048)

    async def writer(ch):
        for i in range(N):
            await a.write(bytes([ch]) * B)

    w1 = asyncio.create_task(writer(0x41))
    w2 = asyncio.create_task(writer(0x42))
    counts = {0x41: 0, 0x42: 0}
    for i in range(2 * N):  # block by block: a 110k heap has no room for all of it
        blk = await read_n(c, B)
        assert len(blk) == B and blk == bytes([blk[0]]) * B, "writes interleaved in block %d" % i
        counts[blk[0]] += 1
    await w1
    await w2
    assert counts == {0x41: N, 0x42: N}, counts
    assert a.wq is None  # the turn was handed back

    # a writer cancelled while queued leaves the queue; the next one still gets its turn
    a.wq = []  # as if a writer held the turn
    w2 = asyncio.create_task(a.write(b"never"))
    w3 = asyncio.create_task(a.write(b"third"))
    await asyncio.sleep_ms(0)
    assert len(a.wq) == 2
    w2.cancel()
    await asyncio.sleep_ms(0)
    assert len(a.wq) == 1
    a._next()  # the holder is done
    assert await read_n(c, 5) == b"third"
    await w3
    assert a.wq is None and w2.done()

    # a reader stopped by close(): it wakes with 0, a waiting writer with OSError
    got = []

    async def reader():
        got.append(await c.readinto(bytearray(16)))

    t = asyncio.create_task(reader())
    await asyncio.sleep_ms(30)
    assert not got
    c.close()
    await asyncio.sleep_ms(30)
    assert got == [0], got
    try:
        await c.write(b"x")
        raise AssertionError("write after close")
    except OSError:
        pass
    assert await a.readinto(bytearray(8)) == 0  # the peer sees the close
    a.close()

    # errors come with their stage
    try:
        await dial("no-such-host.invalid", 80)
        raise AssertionError("resolved")
    except stream.NetError as e:
        assert e.stage == stream.RESOLVE, (e.stage, e.text)
    ls2, p2 = listener()
    ls2.close()
    try:
        c = await dial("127.0.0.1", p2)
        await c.write(b"x")
        await c.readinto(bytearray(1))
        raise AssertionError("connected to a closed port")
    except stream.NetError as e:
        assert e.stage == stream.CONNECT and e.code, (e.stage, e.code)
    except OSError as e:  # refused shows on first I/O: stage CONNECT
        assert stream.error(c, e).stage == stream.CONNECT

    # accept() stopped by close()
    got = []

    async def acceptor():
        try:
            await ls.accept()
        except stream.NetError as e:
            got.append(e.stage)

    t = asyncio.create_task(acceptor())
    await asyncio.sleep_ms(20)
    ls.close()
    await asyncio.sleep_ms(20)
    assert got == [stream.CONNECT], got

    # TLS, both sides ours: the server end of an accepted Conn, the client end of a dial
    if T:
        from netstack.transport import tls
        d = lambda k: binascii.a2b_base64(T[k])
        sctx = tls.context(True, cert=d("client_cert_der_b64"), key=d("client_key_der_b64"))
        cctx = tls.context(False, ca=[d("ca_der_b64")])
        ls, port = listener()
        c, a = await pair(ls, port, cctx, "client.peers.invalid")
        a.start_tls(sctx, server_side=True)
        assert a.stage == stream.TLS and a.tls
        w = asyncio.create_task(c.write(b"hello over tls"))
        assert await read_n(a, 14) == b"hello over tls"
        await w
        await a.write(b"back")
        assert await read_n(c, 4) == b"back"
        c.close()
        a.close()
        # a client that does not trust the server fails in stage TLS
        wrong = tls.context(False, ca=[d("client_cert_der_b64")])
        c, a = await pair(ls, port, wrong, "client.peers.invalid")
        a.start_tls(sctx, server_side=True)
        srv = asyncio.create_task(a.readinto(bytearray(16)))
        try:
            await c.write(b"x")
            await c.readinto(bytearray(4))
            raise AssertionError("untrusted server accepted")
        except (OSError, ValueError) as e:
            assert stream.error(c, e).stage == stream.TLS, e
        c.close()
        try:
            await srv
        except (OSError, ValueError):
            pass
        a.close()
        ls.close()
        # material that does not load: LOAD_CA / LOAD_CERT
        try:
            tls.context(False)
            raise AssertionError("no CA accepted")
        except stream.NetError as e:
            assert e.stage == stream.LOAD_CA
        try:
            tls.context(True, cert=b"junk", key=b"junk")
            raise AssertionError("junk cert accepted")
        except stream.NetError as e:
            assert e.stage == stream.LOAD_CERT
        print("TLS server side OK")

    # UDP: two bound sockets on loopback
    for i in range(20):
        import random
        p1 = 20000 + random.getrandbits(14)
        try:
            u1 = Datagram("127.0.0.1", p1)
            break
        except stream.NetError:
            pass
    u2 = Datagram("127.0.0.1", p1 + 1)
    assert u1.option("reuseaddr", 1) is True and u1.option("no-such-option", 1) is False
    fam, sa1 = Datagram.sockaddr("127.0.0.1", p1)
    assert await u2.sendto(b"dgram", sa1) == 5
    data, frm = await u1.recvfrom(64)
    assert data == b"dgram" and _port.addr(frm) == ("127.0.0.1", p1 + 1, 4), (data, frm)
    got = []

    async def ureader():
        got.append(await u1.recvfrom(64))

    t = asyncio.create_task(ureader())
    await asyncio.sleep_ms(20)
    u1.close()
    await asyncio.sleep_ms(20)
    assert got == [None], got
    u2.close()


asyncio.run(main())
gc.collect()
print("heap free after:", gc.mem_free())
print("OK")
