# Shared by the device scripts test_concurrency*.py (tools/devtest.py inlines it where a
# script says `# include: concurrency_support`): helpers, the warm-up, and how many
# requests this heap can have in flight (ROOM).
import gc
import os
import sys
import time
# keep only what this script uses: at a 110k heap the PEM strings in CFG matter
CFG = {"hostile": CFG["hostile"], "closed_port": CFG["closed_port"]}
gc.collect()
import asyncio
import socket
import netstack
from netstack import http, BusinessError, _aw, _port

H = CFG["hostile"]
MARGIN = 400  # ms a timeout may take beyond its value (a vboard or a busy machine is slower)
FAILED = []

# Every task the library spawns (callback operations and watchdogs), to find the ones
# still pending after their request ended. Done ones are dropped at once: a finished
# task keeps its coroutine (and what that referenced) alive, too much for a 110k heap.
_spawn = _port.spawn
LIVE = []


def spawn(coro):
    pending()
    t = _spawn(coro)
    LIVE.append(t)
    return t


_port.spawn = spawn


def pending():
    LIVE[:] = [t for t in LIVE if not t.done()]
    return len(LIVE)


async def nap(ms):  # netstack.run takes a coroutine; asyncio.sleep_ms gives a generator
    await asyncio.sleep_ms(ms)


def heap_free():
    # free heap without the engine's one spare receive buffer: whether a request left it
    # depends on whether its own 4 KB allocation succeeded on this heap, not on a leak
    from netstack import _client
    _client._spare = None
    gc.collect()
    return gc.mem_free()


def settle():
    netstack.run(nap(5))  # let cancelled watchdogs finish
    return pending()


def fds():
    try:
        return len(os.listdir("/proc/self/fd"))
    except (OSError, AttributeError):
        return None  # a board: no /proc


def ms_since(t):
    return time.ticks_diff(time.ticks_ms(), t)


def outcome(x):
    if isinstance(x, BusinessError):
        return x.code
    if isinstance(x, BaseException):
        return "%s: %s" % (type(x).__name__, x)
    if isinstance(x, int):  # requestInStream resolves to the status
        return x
    return (x.responseCode, x.result)


async def timed(aw):
    t = time.ticks_ms()
    try:
        r = await aw
    except BaseException as e:
        r = e
    return r, ms_since(t)


def at_its_time(ms, at, what):
    assert at <= ms + 5 and ms <= at + MARGIN, (what, "took", ms, "expected", at)


def get(url, req, opts=None):
    return netstack.run(req.request(url, opts or {}))


def scenario(fn):
    name = fn.__name__
    pending()
    gc.collect()
    t = time.ticks_ms()
    try:
        fn()
        gc.collect()
        print("pass %s (%d ms, heap free %d)" % (name, ms_since(t), gc.mem_free()))
    except Exception as e:
        FAILED.append(name)
        print("FAIL %s (%d ms)" % (name, ms_since(t)))
        sys.print_exception(e)
        netstack.run(nap(50))  # what it left running ends before the next one
    return fn


class Stuck:
    """A listener whose accept queue is full: new SYNs are dropped, so a connect to it
    hangs. MicroPython's socket has no getsockname: bind the port the peers found free."""

    def __enter__(self):
        port = CFG["closed_port"]
        self.lst = socket.socket()
        self.lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lst.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1])
        self.lst.listen(0)
        self.fill = []
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
            except OSError:
                pass  # EINPROGRESS
            self.fill.append(s)
        time.sleep_ms(50)
        self.url = "http://127.0.0.1:%d/" % port
        return self

    def __exit__(self, *a):
        for s in self.fill:
            s.close()
        self.lst.close()


def warm_up():
    # primes what the library and asyncio keep after first use (spare receive buffer,
    # caches, the idle event of netstack.run()), so the heap checks measure only growth
    r = http.createHttp()
    get(H + "/ok", r, {"readTimeout": 1000})
    try:
        get(H + "/silence", r, {"readTimeout": 20})
    except BusinessError:
        pass
    r.request(H + "/ok", lambda e, d: None)
    netstack.run()
    r.requestInStream(H + "/drip?ms=5", {"readTimeout": 30}, lambda e, d: None)
    netstack.run()
    r.request(H + "/silence", {"readTimeout": 3000}, lambda e, d: None)

    async def kill():
        await asyncio.sleep_ms(50)
        r.destroy()
    asyncio.create_task(kill())
    netstack.run()
    settle()


gc.collect()
warm_up()
gc.collect()
# Requests in flight at once: each needs 10-14 KB of free heap (docs/http.md). Every
# scenario runs at every heap the suite uses (110k runs the library from ROMFS, as a board
# with the code in flash); the scenarios that put several requests in flight use as many as
# this heap has room for, at least 2 and at most 6 (192k from .mpy: 6).
ROOM = max(2, min(6, gc.mem_free() // 13500))
print("heap free after warm-up:", gc.mem_free(), "fds:", fds(), "in flight at once:", ROOM)
concurrent = scenario
