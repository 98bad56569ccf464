# timeout: 60
# _port.waiter(s) -> w: the WebSocket read loop's blocking wait for its socket, w(ms) as
# wait_now(s, ms) with asyncio's objects looked up once (made when the session starts). It may block only where
# the loop would do nothing else meanwhile, and what decides that changes between two waits
# of one waiter: each case below makes the waiter first, then the state it must see. A
# waiter that misses it blocks for the whole wait (2 s here) or takes the loop's poller entry
# from a task that waits on the socket. Real sockets on 127.0.0.1, asyncio's loop; a wss
# client to the peers' echo server for a TLS socket.
import gc
C = {k: CFG[k] for k in ("ca_pem", "wss_echo")}
CFG = None
gc.collect()
import socket
import time
import asyncio
import netstack
from netstack import _port, webSocket

LONG = 2000  # ms: a wait that must not block this long
SOON = 700  # ms: bound for a wait that must return at once, or when another task is due


def pair(ls, sa):
    # -> (client socket, the server's non-blocking end)
    c = socket.socket()
    c.connect(sa)
    s = ls.accept()[0]
    s.setblocking(False)
    return c, s


def drain(s):
    try:
        while s.recv(64):
            pass
    except OSError:
        pass


async def nap(ms):
    await asyncio.sleep_ms(ms)


def timed(w, ms):
    t = time.ticks_ms()
    r = w(ms)
    return r, time.ticks_diff(time.ticks_ms(), t)


async def main():
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for p in range(0, 200):  # (a free port)
        sa = socket.getaddrinfo("127.0.0.1", 25000 + (_port.random_bytes(2)[0] << 4) + p)[0][-1]
        try:
            ls.bind(sa)
            break
        except OSError:
            pass
    ls.listen(4)
    ca, a = pair(ls, sa)
    cb, b = pair(ls, sa)
    cd, d = pair(ls, sa)
    w = _port.waiter(a)

    # alone: data -> True at once; none -> False after the wait
    ca.send(b"x")
    r, ms = timed(w, LONG)
    assert r is True and ms < SOON, (r, ms)
    drain(a)
    r, ms = timed(w, 100)
    assert r is False and 80 <= ms < SOON, (r, ms)

    # a task ready to run: False at once, nothing waited for
    t = asyncio.create_task(nap(0))
    r, ms = timed(w, LONG)
    assert r is False and ms < SOON, ("a task ready", r, ms)
    await t

    # a task due in 100 ms: the wait ends then
    t = asyncio.create_task(nap(100))
    await asyncio.sleep_ms(0)  # (its first step: now it sleeps, due in 100 ms)
    r, ms = timed(w, LONG)
    assert r is False and ms < SOON, ("a task due", r, ms)
    await t

    # one other socket waited on (a server's listener): allowed, its data ends the wait
    got = []

    async def reader(s):
        await _port.wait_readable(s)
        got.append(s)
    t = asyncio.create_task(reader(b))
    await asyncio.sleep_ms(0)  # (it waits now)
    cb.send(b"y")
    r, ms = timed(w, LONG)
    assert r is False and ms < SOON, ("the other socket's data", r, ms)
    await t
    assert got == [b], got
    drain(b)

    # two other sockets waited on (a server's other clients): False at once (the loop's one
    # poll serves them all)
    del got[:]
    t1 = asyncio.create_task(reader(b))
    t2 = asyncio.create_task(reader(d))
    await asyncio.sleep_ms(0)
    r, ms = timed(w, LONG)
    assert r is False and ms < SOON, ("two other waiters", r, ms)
    cb.send(b"y")
    cd.send(b"z")
    await t1
    await t2
    assert len(got) == 2, got
    drain(b)
    drain(d)

    # a task that waits on a itself (a writer with the connection's turn; a reader here):
    # False at once, and the task still wakes when a becomes ready (its poller entry stays)
    del got[:]
    t = asyncio.create_task(reader(a))
    await asyncio.sleep_ms(0)
    r, ms = timed(w, LONG)
    assert r is False and ms < SOON, ("a waiter on the socket", r, ms)
    ca.send(b"x")
    for _ in range(100):
        if got:
            break
        await asyncio.sleep_ms(10)
    assert got == [a], "the task waiting on the socket did not wake"
    await t
    drain(a)

    # alone again: the same waiter blocks as at first
    ca.send(b"x")
    r, ms = timed(w, LONG)
    assert r is True and ms < SOON, (r, ms)
    for s in (ca, a, cb, b, cd, d, ls):
        s.close()

    # a TLS socket (the unix port: its waits go to the TCP socket under it, _porttls.WAITS)
    # whose session waits for it in asyncio's loop, on that TCP socket: False at once
    path = "waiter_test_ca.pem"
    with open(path, "w") as f:
        f.write(C["ca_pem"])
    ws = webSocket.createWebSocket()
    got = []
    ws.on("message", got.append)
    await ws.connect(C["wss_echo"] + "/x", {"caPath": path})
    for _ in range(500):
        if ws._s is not None:
            break
        await asyncio.sleep_ms(10)
    await ws.send("hi")
    for _ in range(500):
        if got:
            break
        await asyncio.sleep_ms(10)
    assert got == ["hi"], got
    s = ws._s.c.s
    r, ms = timed(_port.waiter(s), LONG)
    assert r is False and ms < SOON, ("a TLS socket its session waits for", r, ms)
    await ws.close()


netstack.run(main())
print("OK")
