# timeout: 180
# netstack.socket TCP on MicroPython: client against the CPython echo peer (events, state,
# addresses, errors, FIN/RST), a netstack server with two netstack clients, concurrent
# sends in order, then 1,000 open/send/close cycles with the heap back at its baseline.
# include: socket_support
import gc
ECHO = CFG["tcp_echo"]
CLOSED = CFG["closed_port"]
CFG = None
gc.collect()
import asyncio
import netstack
from netstack import socket as ns, BusinessError


def A(port, ip="127.0.0.1"):
    return {"address": ip, "port": port}


async def client():
    s = ns.constructTCPSocketInstance()
    ev, msgs = [], []
    s.on("connect", lambda: ev.append("connect"))
    s.on("close", lambda: ev.append("close"))
    s.on("message", msgs.append)
    st = await s.getState()
    assert not (st["isBound"] or st["isConnected"] or st["isClose"]), st
    await s.connect({"address": A(ECHO)})
    st = await s.getState()
    assert st["isBound"] and st["isConnected"] and not st["isClose"], st
    assert await s.getRemoteAddress() == {"address": "127.0.0.1", "family": 1, "port": ECHO}
    la = await s.getLocalAddress()
    # no getsockname on MicroPython: the library chose and bound this port before connect
    assert la["address"] == "127.0.0.1" and 49152 <= la["port"] <= 65535, la
    assert await s.getSocketFd() > 2
    await s.send({"data": "hello"})
    await s.send({"data": b" world"})
    for bad in ({"data": 1}, {}, "x", None, [b"x"]):  # connected: send's fast path checks too
        assert at_call(s.send, bad) == 401, bad
    await until(lambda: sum(m["remoteInfo"]["size"] for m in msgs) == 11)
    assert b"".join(m["message"] for m in msgs) == b"hello world"
    ri = msgs[0]["remoteInfo"]
    assert ri["address"] == "127.0.0.1" and ri["family"] == "IPv4" and ri["port"] == ECHO, ri
    await s.close()
    st = await s.getState()
    assert st["isClose"] and not st["isConnected"], st
    assert ev == ["connect", "close"], ev
    assert await code(s.close()) == 2300999
    assert await code(s.send({"data": "x"})) == 2301009
    print("client ok, local port", la["port"])


async def errors():
    s = ns.constructTCPSocketInstance()
    assert await code(s.connect({"address": A(CLOSED)})) == 2301111
    assert await code(s.send({"data": "x"})) == 2301009
    assert await code(s.bind({"address": "192.0.2.77"})) == 2301099
    for bad in (None, {"address": A(70000)}, {"address": {"address": "::1", "family": 1}},
                {"address": {"address": "127.0.0.1", "family": 2, "port": 1}},
                {"address": A(1), "timeout": "x"}):
        assert at_call(s.connect, bad) == 401, bad
    s2 = ns.constructTCPSocketInstance()
    await s2.connect({"address": A(ECHO)})
    for bad in (None, {"data": 3}, {}):
        assert at_call(s2.send, bad) == 401, bad
    await s2.close()
    # peer FIN -> close; reset -> error then close
    for word, want in ((b"CLOSE\n", ["close"]), (b"RESET\n", [2301104, "close"])):
        s = ns.constructTCPSocketInstance()
        ev = []
        s.on("close", lambda: ev.append("close"))
        s.on("error", lambda e: ev.append(e.code))
        await s.connect({"address": A(ECHO)})
        await s.send({"data": word})
        await until(lambda: "close" in ev)
        assert ev == want, (word, ev)
    print("errors ok")


async def server():
    srv = ns.constructTCPSocketServerInstance()
    conns, closed = [], []

    def on_connect(c):
        conns.append(c)
        c.on("message", lambda m: c.send({"data": m["message"].upper()}, lambda e, d: None))
        c.on("close", lambda: closed.append(c.clientId))
        c.on("error", lambda e: print("server connection error", e))
    srv.on("connect", on_connect)
    srv.on("error", lambda e: print("server error", e))
    await srv.listen({"address": "127.0.0.1", "port": 0})
    port = (await srv.getLocalAddress())["port"]
    assert port > 0
    got = [[], []]
    cs = []
    for i in range(2):
        c = ns.constructTCPSocketInstance()
        c.on("message", lambda m, i=i: got[i].append(m["message"]))
        c.on("error", lambda e: print("client error", e))
        await c.connect({"address": A(port)})
        cs.append(c)
    await until(lambda: len(conns) == 2)
    assert conns[1].clientId == conns[0].clientId + 1
    ra = await conns[0].getRemoteAddress()
    assert ra["port"] == (await cs[0].getLocalAddress())["port"], ra
    await cs[0].send({"data": "one"})
    await cs[1].send({"data": "two"})
    await until(lambda: got[0] and got[1])
    assert got == [[b"ONE"], [b"TWO"]], got
    await srv.close()  # existing connections stay
    await cs[1].send({"data": "still"})
    await until(lambda: len(got[1]) == 2)
    assert got[1][1] == b"STILL"
    assert await code(ns.constructTCPSocketInstance().connect({"address": A(port)})) == 2301111
    await cs[0].close()
    await until(lambda: closed == [conns[0].clientId])
    await conns[1].close()
    await until(lambda: (cs[1]._st & 4) != 0)
    print("server ok")


async def ordered():
    s = ns.constructTCPSocketInstance()
    got = []
    s.on("message", lambda m: got.append(len(m["message"])))
    s.on("error", lambda e: print("ordered: error", e))
    await s.connect({"address": A(ECHO)})
    done = []
    sizes = [1200 + i for i in range(8)]
    for n in sizes:
        s.send({"data": bytes([48 + len(done) % 10]) * n}, lambda e, d: done.append(e))
    try:
        await until(lambda: sum(got) == sum(sizes), 10000)
    except AssertionError:
        print("ordered: got", sum(got), "of", sum(sizes), done)
        raise
    assert done == [None] * len(sizes), done
    # callback and awaited sends mixed: on the wire in the order of the calls
    seen = []
    s.on("message", lambda m: seen.append(m["message"]))
    for i in range(4):
        s.send({"data": b"a%d" % i}, lambda e, d: done.append(e))
        await s.send({"data": b"b%d" % i})
        s.send({"data": "c%d" % i}, lambda e, d: done.append(e))
    await until(lambda: len(b"".join(seen)) == 24)
    assert b"".join(seen) == b"a0b0c0a1b1c1a2b2c2a3b3c3", seen
    await until(lambda: len(done) == len(sizes) + 8)
    assert done == [None] * (len(sizes) + 8), done
    await s.close()
    print("ordered ok")


async def callbacks():
    # The callback form of sends done at the call: called back in the order of the calls,
    # from the loop (not inside send), a callback that raises is reported and the next
    # still called; a program that sends again from each callback lets other tasks run
    from netstack import _log
    s = ns.constructTCPSocketInstance()
    await s.connect({"address": A(ECHO)})
    seen, errs = [], []

    def cb(i):
        def f(e, d):
            seen.append((i, e, d))
            if i == 1:
                raise ValueError("raised on purpose")
        return f
    _log.hook = lambda e, where: errs.append(where)
    for i in range(4):
        s.send({"data": b"x"}, cb(i))
    assert seen == [], seen
    await until(lambda: len(seen) == 4)
    _log.hook = None
    assert seen == [(i, None, None) for i in range(4)] and errs == ["result"], (seen, errs)
    left, ticks, stop, end = [300], [0], [False], [0]

    def next_(e, d):
        left[0] -= 1
        if left[0] > 0:
            s.send({"data": b"y"}, next_)
        else:
            end[0] = ticks[0]

    async def timer():
        while not stop[0]:
            await asyncio.sleep_ms(0)
            ticks[0] += 1
    asyncio.create_task(timer())
    await asyncio.sleep_ms(0)
    t0 = ticks[0]
    s.send({"data": b"y"}, next_)
    await until(lambda: left[0] == 0)
    stop[0] = True
    assert end[0] - t0 >= 10, end[0] - t0
    await s.close()
    print("callbacks ok: the loop ran", end[0] - t0, "times during 300 chained sends")


async def eager():
    # send() starts at the call, as OpenHarmony's: sends nobody awaits yet go out, in the
    # order of the calls, also when the socket takes only part of one (a peer that does
    # not read yet, small buffers): then a task sends the rest and the sends after it
    from netstack import _port
    from netstack.transport import tcp
    ls, sa = tcp.prepare(_port.socket.AF_INET, (("rcvbuf", 2048),), "127.0.0.1", 0)
    _port.listen(ls, 2)
    s = ns.constructTCPSocketInstance()
    await s.setExtraOptions({"sendBufferSize": 2048})
    await s.connect({"address": A(_port.addr(sa)[1])})
    blob = bytes(range(256)) * 16  # 4 KB; the sends: slices of it, different in each
    parts = [memoryview(blob)[i * 97:i * 97 + 3000] for i in range(12)]
    ops = [s.send({"data": p}) for p in parts]
    assert s._c.wq is not None, "the socket took it all: nothing tested the rest"
    for i in range(400):  # the peer accepts only now, and reads
        r = _port.accept(ls)
        if r is not None:
            break
        await asyncio.sleep_ms(5)
    c = r[0]
    total = 3000 * len(parts)
    got = 0
    buf = bytearray(2048)
    for i in range(4000):
        if got >= total:
            break
        try:
            n = c.readinto(buf)
        except OSError:
            n = None
        if not n:
            await asyncio.sleep_ms(2)
            continue
        for k in range(n):  # byte `got` of the stream: byte got % 3000 of part got // 3000
            assert buf[k] == parts[got // 3000][got % 3000], ("out of order at", got)
            got += 1
    assert got == total, (got, total)
    for o in ops:
        assert (await o) is None
    done = s.send({"data": b"x"})
    assert "done" in repr(done) and (await done) is None  # taken at once: already done
    await s.close()
    _port.close(c)
    _port.close(ls)
    print("eager ok")


async def cycles(n):
    # open/send/close n times; the heap must come back to its baseline
    async def once():
        s = ns.constructTCPSocketInstance()
        got = []
        s.on("message", got.append)
        await s.connect({"address": A(ECHO)})
        await s.send({"data": "x"})
        await until(lambda: got)
        await s.close()
    await once()
    gc.collect()
    base = gc.mem_free()
    for i in range(n):
        await once()
        if i % 50 == 0:
            gc.collect()
        if i == n // 2:
            mid = gc.mem_free()
    gc.collect()
    free = gc.mem_free()
    print("tcp cycles:", n, "heap free before", base, "half-way", mid, "after", free)
    # Back to the baseline within two sockets' objects, which a stale word may keep
    # reachable for a while (MicroPython's GC is conservative): a leak of even 4 bytes
    # per cycle would lose 4 KB here.
    assert free >= base - 3072, (base, mid, free)


netstack.run(client())
netstack.run(errors())
netstack.run(server())
netstack.run(ordered())
netstack.run(callbacks())
netstack.run(eager())
netstack.run(cycles(1000))
print("OK")
