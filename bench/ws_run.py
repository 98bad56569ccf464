#!/usr/bin/env python3
"""WebSocket rows of `make bench`: echo round trips per second of the MicroPython client
(netstack.webSocket vs a minimal raw-socket client with a viper mask, bench/ws_mp.py, and
chumicro-websockets) against a CPython websockets echo server without compression, and
messages per second served by MicroPython servers (netstack, a minimal raw select.poll
server, chumicro-websockets, microdot) to 1 and 8 concurrent CPython clients (64 B text
echoes). Both kinds in interleaved rounds on one CPU: every server stays up for the whole
run, each client is a fresh process per round; each round's rate is divided by raw's of the
same round, and the table gives the median of those ratios with the least and the most (see
client_rounds, Lean and serve_rounds), and the rate the CPU time of the two sides gives.
Unix port at 2m heap. The PyPI peers (pinned in tools/requirements.txt) run from
build/bench-peers, links into .venv. micropython-lib's aiohttp is not on PyPI (mip only): no
row.

    python bench/ws_run.py [lib] [--server-only | --client-only] [--rounds 9] [--msgs 12000]
                           [--client-rounds 9] [--count 100] [--client lean|websockets]
                           [--also NAME=DIR] [--json PATH]"""
import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(ROOT, ".venv", "bin")
HEAP = "2m"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Echo:
    """The client rows' peer: CPython websockets echoing, no compression, in a thread of
    this process. .cpu: the CPU time (ns) of that thread after each echo of the last
    connection as each message came, so that a client row can take the echo's CPU time
    over its timed part."""

    def __init__(self):
        from websockets.asyncio.server import serve
        self.port = free_port()
        self.ready = threading.Event()
        self.cpu = []

        async def handler(ws):
            t = self.cpu = []
            try:
                async for m in ws:  # (taken as each message comes: the client's last
                    t.append(time.thread_time_ns())  # echo cannot come before it)
                    await ws.send(m)
            except Exception:
                pass

        async def main():
            self.stop = asyncio.Event()
            async with serve(handler, "127.0.0.1", self.port, compression=None, max_size=None,
                             ping_interval=None):
                self.ready.set()
                await self.stop.wait()

        def run():
            self.loop = asyncio.new_event_loop()
            self.loop.run_until_complete(main())

        threading.Thread(target=run, daemon=True).start()
        self.ready.wait(10)

    def close(self):
        self.loop.call_soon_threadsafe(self.stop.set)


def mp(args, lib):
    """One bench/ws_mp.py process -> (round trips/s, its CPU us per round trip)."""
    env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
    p = subprocess.run([os.path.join(BIN, "micropython"), "-X", "heapsize=" + HEAP,
                        os.path.join(HERE, "ws_mp.py")] + [str(a) for a in args], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return tuple(float(v) for v in line.split()[1:3])
    raise RuntimeError("ws_mp.py %s failed:\n%s" % (args, p.stdout[-2000:]))


WARM = 20  # bench/ws_mp.py's untimed round trips before its COUNT timed ones

# The client rows, measured as the server rows are (since 7 Dec, before: best of 3 separate
# unpinned runs per cell, which moved by 20-50% between runs): the clients take turns in
# rounds, the order reversed every other round, each round a fresh ws_mp.py process against
# the one echo server; the driver (the echo's thread) and the clients on one CPU. Per round:
# the rate, the client's CPU us per round trip (ws_mp.py's own, from /proc/self/schedstat)
# and the echo's (its thread's CPU time over the same round trips, Echo.cpu).
CLIENT_ROWS = (("64 B text echo", 64, 10000, "text"),
               ("64 KiB binary echo", 65536, 1000, "binary"))


def client_rounds(echo, clients, size, count, kind, rounds):
    """clients: [(name, mode, lib)], raw's first -> {name: [(round trips/s, client CPU us,
    echo CPU us) per round]}. chumicro runs a quarter of count (a 40th at 64 KiB: ~40
    round trips/s there)."""
    res = {c[0]: [] for c in clients}
    # (untimed: the echo's first connection costs it twice the CPU of the later ones)
    mp([clients[0][1], "127.0.0.1", echo.port, size, max(count // 10, 20), kind], clients[0][2])
    for r in range(rounds):
        for name, mode, lib in (clients if r % 2 == 0 else clients[::-1]):
            n = count if mode != "chumicro" else max(count // (4 if size < 1024 else 40), 20)
            rate, cpu = mp([mode, "127.0.0.1", echo.port, size, n, kind], lib)
            t = echo.cpu
            srv = (t[WARM + n - 1] - t[WARM - 1]) / 1e3 / n
            res[name].append((rate, cpu, srv))
    return res


SERVER = r'''
import sys, netstack
from netstack import webSocket
srv = webSocket.createWebSocketServer()
def nop(e, d):
    pass
srv.on("messageReceive", lambda m: srv.send(m["data"], m["clientConnection"], nop))
async def main():
    await srv.start({"serverIP": "127.0.0.1", "serverPort": int(sys.argv[1]),
                     "antiAbuse": False, "permessageDeflate": False})
    import asyncio
    while True:
        await asyncio.sleep(3600)
netstack.run(main())
'''

RAW_SERVER = r'''
# minimal MicroPython echo server: one select.poll loop, non-blocking sockets, a fixed
# handshake answer, whole small frames per read (enough for the 64 B rows), viper unmask;
# a close is answered and the connection closed (the last session's version left it open:
# each client then waited 10 s for it, which made this baseline look stalled). A text
# message is handed to the application's function as a str and its str answer sent back,
# as the API must (messageReceive's data is a str for text: MicroPython makes it with the
# UTF-8 check and the interned-name lookup every new str costs); RAW_BYTES_SERVER, the
# baseline before 16:50 UTC on 6 Dec, echoed the bytes without a str or a call
import sys, socket, select, micropython, hashlib, binascii
def handle(msg):  # the application: an echo
    return msg
@micropython.viper
def xor(buf: ptr8, a: int, n: int, key: ptr8):
    for i in range(n):
        buf[a + i] ^= key[i & 3]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(socket.getaddrinfo("127.0.0.1", int(sys.argv[1]))[0][-1])
ls.listen(16)
ls.setblocking(False)
p = select.poll()
p.register(ls, select.POLLIN)
up = {}
buf = bytearray(8192)
mv = memoryview(buf)
while True:
    for s, ev in p.poll():
        if s is ls:
            c, _ = ls.accept()
            c.setblocking(False)
            try:
                c.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
            except OSError:
                pass
            up[c] = False
            p.register(c, select.POLLIN)
            continue
        n = s.readinto(buf)
        if not n:
            p.unregister(s); s.close(); up.pop(s, None); continue
        if not up[s]:
            h = bytes(buf[:n]); i = h.lower().find(b"sec-websocket-key:")
            key = h[i + 18:h.find(b"\r\n", i)].strip()
            acc = binascii.b2a_base64(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())[:-1]
            s.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")
            up[s] = True
            continue
        i = 0
        while i + 6 <= n:
            op = buf[i]; m = buf[i + 1] & 127; j = i + 2
            if m == 126:
                m = buf[j] << 8 | buf[j + 1]; j += 2
            k = mv[j:j + 4]; j += 4
            xor(buf, j, m, k)
            if op & 15 == 8:  # close: answer, then close TCP (the client waits for it)
                s.write(b"\x88\x00"); p.unregister(s); s.close(); up.pop(s, None); break
            if op == 0x81:  # text: a str for the application, its str answer out
                t = memoryview(handle(str(mv[j:j + m], "utf-8")))
                r = len(t)
            else:
                t = mv[j:j + m]
                r = m
            s.write(bytes((op, r)) + t if r < 126 else bytes((op, 126, r >> 8, r & 255)) + t)
            i = j + m
'''

# RAW_SERVER echoing text as bytes, without a str or a call (its row before 6 Dec 16:50
# UTC): the same server with the frame's answer written straight from the buffer
RAW_BYTES_SERVER = RAW_SERVER.replace('''            if op == 0x81:  # text: a str for the application, its str answer out
                t = memoryview(handle(str(mv[j:j + m], "utf-8")))
                r = len(t)
            else:
                t = mv[j:j + m]
                r = m
            s.write(bytes((op, r)) + t if r < 126 else bytes((op, 126, r >> 8, r & 255)) + t)''', '''            s.write(bytes((op, m)) + mv[j:j + m] if m < 126 else bytes((op, 126, m >> 8, m & 255)) + mv[j:j + m])''')
assert RAW_BYTES_SERVER != RAW_SERVER


# FLOOR_SERVER's and FLOOR_AIO_SERVER's application side: OpenHarmony's API shape, thin
FLOOR_API = r'''refs = {}  # socket -> its connection object
cur = None  # the socket of the message being delivered
q = []  # callbacks of sends from the listener
def send(data, conn, cb):
    s = cur if refs.get(cur) is conn else [k for k in refs if refs[k] is conn][0]
    b = memoryview(data) if type(data) is str else data
    n = len(b)
    f = bytearray(n + 2)
    f[0] = 0x81 if type(data) is str else 0x82
    f[1] = n
    f[2:] = b
    if s.write(f) == n + 2 and cb is not None:
        q.append(cb)
def nop(e, d):
    pass
listener = lambda m: send(m["data"], m["clientConnection"], nop)  # bench/ws_run.py SERVER's
'''
FLOOR_DELIVER = r'''            cur = s
            listener({"clientConnection": refs[s],
                      "data": str(mv[j:j + m], "utf-8") if op == 0x81 else bytes(mv[j:j + m])})
            for cb in q:
                cb(None, True)
            q.clear()'''


# The floor: the thinnest server with OpenHarmony's API shape over RAW_SERVER's framing and
# loop: a messageReceive listener called with {clientConnection, data} (a connection object
# per client, as {clientIP, clientPort}), whose send(data, connection, callback) finds the
# connection's socket (the last message's first, as netstack's does) and writes the frame
# it builds; the callback runs after the listener returns. No limits, states or checks:
# what the API's shape costs on top of raw, and so how close to raw netstack could come.
FLOOR_SERVER = RAW_SERVER.replace('''def handle(msg):  # the application: an echo
    return msg
''', FLOOR_API).replace('''            up[c] = False
''', '''            up[c] = False
            refs[c] = {"clientIP": "127.0.0.1", "clientPort": len(refs)}
''').replace('''            if op == 0x81:  # text: a str for the application, its str answer out
                t = memoryview(handle(str(mv[j:j + m], "utf-8")))
                r = len(t)
            else:
                t = mv[j:j + m]
                r = m
            s.write(bytes((op, r)) + t if r < 126 else bytes((op, 126, r >> 8, r & 255)) + t)''', FLOOR_DELIVER).replace("up.pop(s, None)", "up.pop(s, None); refs.pop(s, None)")
assert FLOOR_SERVER.count("listener(") == 1 and "handle" not in FLOOR_SERVER


# The floor on asyncio's loop (as netstack's server must: the API has timers and tasks): the
# same listener and send(), a task per client that reads until EAGAIN and then waits for
# its socket through asyncio's poller (as asyncio's own streams wait), an accepting task
FLOOR_AIO_SERVER = r'''
import sys, socket, select, micropython, hashlib, binascii, asyncio
from asyncio import core
''' + FLOOR_API + r'''@micropython.viper
def xor(buf: ptr8, a: int, n: int, key: ptr8):
    for i in range(n):
        buf[a + i] ^= key[i & 3]
def readable(s):
    yield core._io_queue.queue_read(s)
async def serve(s):
    global cur
    buf = bytearray(1024)
    mv = memoryview(buf)
    hs = False
    while True:
        n = s.readinto(buf)
        if n is None:
            await readable(s)
            continue
        if not n:
            break
        if not hs:
            h = bytes(buf[:n]); i = h.lower().find(b"sec-websocket-key:")
            key = h[i + 18:h.find(b"\r\n", i)].strip()
            acc = binascii.b2a_base64(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())[:-1]
            s.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")
            hs = True
            continue
        i = 0
        while i + 6 <= n:
            op = buf[i]; m = buf[i + 1] & 127; j = i + 2
            if m == 126:
                m = buf[j] << 8 | buf[j + 1]; j += 2
            k = mv[j:j + 4]; j += 4
            xor(buf, j, m, k)
            if op & 15 == 8:
                s.write(b"\x88\x00"); n = 0; break
''' + FLOOR_DELIVER + r'''
            i = j + m
        if not n:
            break
    refs.pop(s, None)
    s.close()
async def main():
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(socket.getaddrinfo("127.0.0.1", int(sys.argv[1]))[0][-1])
    ls.listen(16)
    ls.setblocking(False)
    while True:
        await readable(ls)
        c, _ = ls.accept()
        c.setblocking(False)
        try:
            c.setsockopt(6, 1, 1)
        except OSError:
            pass
        refs[c] = {"clientIP": "127.0.0.1", "clientPort": len(refs)}
        asyncio.create_task(serve(c))
asyncio.run(main())
'''


CHUMICRO_SERVER = r'''
# chumicro-websockets (PyPI): its tick-driven server, echoing; max_connections 8 (default 2)
import sys, time
from chumicro_websockets import WebSocketServer
from chumicro_sockets import listener
def on_connection(c):
    c.on_text = lambda t: c.send_text(t)
    c.on_binary = lambda b: c.send_binary(b)
srv = WebSocketServer(listener=listener("127.0.0.1", int(sys.argv[1])),
                      on_connection=on_connection, max_connections=8)
while True:
    now = time.ticks_ms()
    if srv.check(now):
        srv.handle(now)
'''

MICRODOT_SERVER = r'''
# microdot (PyPI) with its websocket extension, echoing
import sys
from microdot import Microdot
from microdot.websocket import with_websocket
app = Microdot()
@app.route("/")
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())
app.run(host="127.0.0.1", port=int(sys.argv[1]))
'''


def peers_lib():
    """A directory with the PyPI peers' packages (from this .venv) for MICROPYPATH, or None
    when they are not installed (tools/requirements.txt pins them)."""
    try:
        import microdot
        import chumicro_websockets  # noqa: F401
    except ImportError:
        return None
    site = os.path.dirname(os.path.dirname(os.path.abspath(microdot.__file__)))
    d = os.path.join(ROOT, "build", "bench-peers")
    os.makedirs(d, exist_ok=True)
    for name in ("microdot", "chumicro_websockets", "chumicro_sockets", "chumicro_timing"):
        link = os.path.join(d, name)
        if not os.path.islink(link):
            os.symlink(os.path.join(site, name), link)
    return d


# The server rows' client: CPython with the least work per message (one masked 64 B text
# frame built once, a blocking send and recv_into, the echo compared to the bytes it must
# be), so that the server's time is most of each message's time; before 7 Dec 04:00 UTC the
# rows used websockets' asyncio client (--client websockets), whose ~100 us of Python per
# message hid most of the difference between the servers (a 2x faster server moved the row
# by ~15%). Every server process stays up for the whole run, stopped (SIGSTOP) while the
# others' rounds run (chumicro's server busy-polls), and the rounds interleave the servers
# (order reversed every other round), so that the machine's load drifts over all of them
# alike; each round's rate is divided by raw's rate of the same round.
KEY = b"\x12\x34\x56\x78"
HANDSHAKE = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             b"Sec-WebSocket-Version: 13\r\n\r\n")


def frame(op, payload):
    """A client's frame (masked with KEY) of a payload under 126 bytes."""
    return bytes((op, 0x80 | len(payload))) + KEY + bytes(
        b ^ KEY[i & 3] for i, b in enumerate(payload))


class Lean:
    """clients connections to 127.0.0.1:port, upgraded; run(msgs) sends each of them msgs
    64 B text messages, one outstanding per connection, and checks every echo."""

    def __init__(self, port, clients, size=64):
        payload = b"a" * size
        self.out = frame(0x81, payload)
        self.echo = bytes((0x81, size)) + payload
        self.socks = []
        for _ in range(clients):
            s = socket.create_connection(("127.0.0.1", port), 10)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.sendall(HANDSHAKE % port)
            h = b""
            while b"\r\n\r\n" not in h:
                d = s.recv(4096)
                if not d:
                    raise RuntimeError("closed during the handshake")
                h += d
            if not h.startswith(b"HTTP/1.1 101") or not h.endswith(b"\r\n\r\n"):
                raise RuntimeError("bad handshake answer: %r" % h[:200])
            self.socks.append(s)

    def run(self, msgs):
        out, echo = self.out, self.echo
        m = len(echo)
        if len(self.socks) == 1:
            s = self.socks[0]
            send, recv = s.sendall, s.recv_into
            buf = bytearray(4096)
            mv = memoryview(buf)
            for _ in range(msgs):
                send(out)
                n = recv(buf)
                while n < m:
                    k = recv(mv[n:])
                    if not k:
                        raise RuntimeError("connection closed")
                    n += k
                if mv[:n] != echo:
                    raise RuntimeError("wrong echo %r" % bytes(mv[:n]))
            return
        import select
        p = select.poll()
        st = {}
        for s in self.socks:
            p.register(s, select.POLLIN)
            b = bytearray(4096)
            st[s.fileno()] = [s, b, memoryview(b), 0, msgs]
            s.sendall(out)
        active = len(st)
        while active:
            ready = p.poll(10000)
            if not ready:
                raise RuntimeError("no echo within 10 s")
            for fd, _ in ready:
                c = st[fd]
                k = c[0].recv_into(c[2][c[3]:])
                if not k:
                    raise RuntimeError("connection closed")
                n = c[3] = c[3] + k
                if n < m:
                    continue
                if c[2][:n] != echo:
                    raise RuntimeError("wrong echo %r" % bytes(c[2][:n]))
                c[3] = 0
                c[4] -= 1
                if c[4]:
                    c[0].sendall(out)
                else:
                    p.unregister(fd)
                    active -= 1

    def close(self):
        bye = frame(0x88, b"\x03\xe8")
        for s in self.socks:
            try:
                s.sendall(bye)
                s.settimeout(5)
                while s.recv(4096):  # the server closes TCP after its close frame
                    pass
            except OSError:
                pass
            s.close()


class WsClients:
    """The same rounds through websockets' asyncio client (--client websockets)."""

    def __init__(self, port, clients, size=64):
        from websockets.asyncio.client import connect
        self.loop = asyncio.new_event_loop()
        self.data = "a" * size

        async def opened():
            return [await connect("ws://127.0.0.1:%d/" % port, compression=None,
                                  max_size=None, ping_interval=None) for _ in range(clients)]

        self.conns = self.loop.run_until_complete(opened())

    def run(self, msgs):
        async def one(ws):
            for _ in range(msgs):
                await ws.send(self.data)
                if await ws.recv() != self.data:
                    raise RuntimeError("wrong echo")

        async def many():
            await asyncio.gather(*[one(ws) for ws in self.conns])

        self.loop.run_until_complete(many())

    def close(self):
        async def closed():
            for ws in self.conns:
                await ws.close()

        try:
            self.loop.run_until_complete(closed())
        finally:
            self.loop.close()


def on_cpu_ns(pid):
    """ns the process (its main thread: MicroPython's unix port runs one) has run on a CPU,
    user and kernel time, from /proc/PID/schedstat (0 where there is none)."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0])
    except OSError:
        return 0


def proc_counts(pid):
    """[user ticks, kernel ticks, voluntary and involuntary context switches] of a process
    so far (/proc; zeros where there is none). Ticks are the kernel's samples (USER_HZ):
    summed over a run's rounds they split its CPU time into user and kernel."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
        with open("/proc/%d/status" % pid) as f:
            cs = [int(ln.split()[1]) for ln in f if "ctxt_switches" in ln]
        return [int(st[11]), int(st[12])] + cs
    except (OSError, IndexError, ValueError):
        return [0, 0, 0, 0]


class Server:
    """One MicroPython server process (src, code from lib) on a free port, kept up for the
    whole run and stopped (SIGSTOP) outside its own rounds."""

    def __init__(self, name, src, lib):
        self.name = name
        self.port = free_port()
        self.path = os.path.join("/tmp", "ws_bench_%s_%d.py" % (name, os.getpid()))
        with open(self.path, "w") as f:
            f.write(src)
        env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
        self.log = open(self.path + ".log", "w+")  # (its output, shown if it dies)
        self.p = subprocess.Popen([os.path.join(BIN, "micropython"), "-X", "heapsize=" + HEAP,
                                   self.path, str(self.port)], env=env,
                                  stdout=self.log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        # (a session of its own: a driver started in the background of a shell that exits
        # is an orphaned process group, whose stopped members the kernel ends with SIGHUP:
        # "server ... exited (-1)")
        t = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                if time.time() > t or self.p.poll() is not None:
                    self.stop()
                    raise RuntimeError("server %s did not start" % name)
                time.sleep(0.05)
        self.pause()

    def pause(self):
        os.kill(self.p.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.p.pid, signal.SIGCONT)

    def round(self, kind, clients, msgs):
        """One round: connect, msgs per client timed (not the handshakes and closes) ->
        (msgs/s, the server's CPU us per message, the client's CPU us per message, messages,
        the server's user and kernel ticks, voluntary and involuntary context switches)."""
        self.resume()
        try:
            if self.p.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("server %s exited (%s): %s" % (
                    self.name, self.p.returncode, self.log.read()[-2000:]))
            c = (Lean if kind == "lean" else WsClients)(self.port, clients)
            try:
                c.run(max(msgs // 20, 5))  # warm-up: lazily loaded code, first allocations
                k0 = proc_counts(self.p.pid)
                s0 = on_cpu_ns(self.p.pid)
                u0 = time.thread_time()
                t0 = time.perf_counter()
                c.run(msgs)
                t1 = time.perf_counter()
                u1 = time.thread_time()
                s1 = on_cpu_ns(self.p.pid)
                k1 = proc_counts(self.p.pid)
            finally:
                c.close()
        finally:
            self.pause()
        n = clients * msgs
        return (n / (t1 - t0), (s1 - s0) / 1e3 / n, (u1 - u0) * 1e6 / n, n) + tuple(
            b - a for a, b in zip(k0, k1))

    def stop(self):
        try:
            self.resume()
        except OSError:
            pass
        self.p.terminate()
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(5)
        os.unlink(self.path)
        self.log.close()
        os.unlink(self.path + ".log")


def serve_rounds(servers, kind, clients, msgs, rounds):
    """servers: [(name, src, lib)], raw's first. Interleaved rounds (the order reversed
    every other round) -> {name: [(msgs/s, server us/msg, client us/msg) per round]}."""
    up = []
    try:
        for name, src, lib in servers:
            up.append(Server(name, src, lib))
        res = {s.name: [] for s in up}
        for r in range(rounds):
            for s in (up if r % 2 == 0 else up[::-1]):  # (the peers, 3-8x slower: fewer)
                m = msgs // 4 if s.name in ("chumicro", "microdot") else msgs
                res[s.name].append(s.round(kind, clients, max(m, 100)))
        return res
    finally:
        for s in up:
            s.stop()


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def ratios(res, name, i=0, invert=False):
    """Per-round ratios of name's figure i to raw's in the same round (invert: raw's to
    name's, for a cost) -> (median, least, most)."""
    v = [(a[i] / b[i]) if not invert else (b[i] / a[i]) for a, b in zip(res[name], res["raw"])]
    return median(v), min(v), max(v)


def print_client_rows(crows, names, a, pin):
    print("Client rows: %d interleaved rounds (a fresh process each), %s; load average %s. "
          "Cells: median round trips/s, then the median of the per-round ratios to raw's rate "
          "in the same round [least-most]; best round: each client's fastest round against "
          "raw's; by CPU time: 1e6 / (client + echo CPU us per round trip), the rate without "
          "what other processes took (client and echo share one CPU): steady under load"
          % (a.client_rounds, pin, "%.1f %.1f %.1f" % os.getloadavg()))
    print()
    print("| row | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    def cells(res):  # the medians, each with its median ratio to raw's [least-most]
        return " | ".join(["%.0f" % median([r[0] for r in res["raw"]])] + [
            "%.0f (%.2fx [%.2f-%.2f])" % ((median([r[0] for r in res[k]]),) + ratios(res, k))
            for k in names[1:]])

    for label, res in crows.items():
        print("| %s (round trips/s) | %s |" % (label, cells(res)))
    for label, res in crows.items():
        top = max(r[0] for r in res["raw"])
        print("| %s: best round | %s |" % (label, " | ".join(
            ["%.0f" % top] + ["%.0f (%.2fx)" % (v, v / top) for v in
                               [max(r[0] for r in res[k]) for k in names[1:]]])))
    for label, res in crows.items():
        cpu = {k: [(1e6 / (r[1] + r[2]),) for r in v] for k, v in res.items()}
        print("| %s, round trips/s by CPU time | %s |" % (label, cells(cpu)))
    for label, res in crows.items():
        print("| %s: client / echo CPU us per round trip | %s |" % (label, " | ".join(
            "%.1f / %.1f" % (median([r[1] for r in res[k]]), median([r[2] for r in res[k]]))
            for k in names)))
    print("(raw32: the raw client masking in 32-bit words, ~4x its byte loop's speed: not a "
          "target, it says how much of raw's time its mask is)")
    print()


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lib", nargs="?", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--server-only", action="store_true", help="only the server rows")
    ap.add_argument("--client-only", action="store_true", help="only the client rows")
    ap.add_argument("--client-rounds", type=int, default=9, help="client rows: interleaved "
                    "rounds")
    ap.add_argument("--count", type=int, default=100, help="client rows: round trips per "
                    "round, in %% of 10,000 (64 B) and 1,000 (64 KiB)")
    ap.add_argument("--rounds", type=int, default=9, help="server rows: interleaved rounds")
    ap.add_argument("--msgs", type=int, default=12000, help="server rows: messages per round "
                    "(shared by the clients; a quarter of it for the peers)")
    ap.add_argument("--client", choices=("lean", "websockets"), default="lean",
                    help="server rows: the CPython clients (lean: raw sockets, see Lean)")
    ap.add_argument("--also", action="append", default=[], metavar="NAME=DIR",
                    help="netstack from DIR as one more client and server in the rounds")
    ap.add_argument("--no-peers", action="store_true", help="without the peers")
    ap.add_argument("--cpu", type=int, help="CPU for the clients, servers and the echo "
                    "(default: the first allowed)")
    ap.add_argument("--no-pin", action="store_true", help="unpinned")
    ap.add_argument("--json", help="write every round's figures here")
    a = ap.parse_args()
    # a SIGTERM unwinds (the servers are stopped and ended in serve_rounds' finally, not
    # left SIGSTOPped)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    lib = a.lib
    pl = None if a.no_peers else peers_lib()
    # one CPU for the clients and their peers (a message's time is then the client's CPU
    # time plus the peer's, without cross-CPU wake-ups: see bench/README.md)
    pin = "unpinned"
    if not a.no_pin and hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        cpu = a.cpu if a.cpu is not None else allowed[0]
        os.sched_setaffinity(0, {cpu})  # (this thread, and the threads and processes
        pin = "on CPU %d" % cpu         # started from now: the echo, clients, servers)
    also = [x.split("=", 1) for x in a.also]
    crows = {}
    if not a.server_only:
        clients = [("raw", "raw", lib), ("netstack", "netstack", lib)] + [
            (name, "netstack", d) for name, d in also]
        if pl:
            clients.append(("chumicro", "chumicro", pl))
        clients.append(("raw32", "raw32", lib))  # (information: raw masking 32-bit words)
        echo = Echo()
        try:
            for label, size, count, kind in CLIENT_ROWS:
                crows[label] = client_rounds(echo, clients, size, count * a.count // 100, kind,
                                             a.client_rounds)
        finally:
            echo.close()
        print_client_rows(crows, [c[0] for c in clients], a, pin)
        if a.client_only:
            dump(a, pin, crows, {})
            return
    servers = [("raw", RAW_SERVER, lib), ("netstack", SERVER, lib)]
    for name, d in also:
        servers.append((name, SERVER, d))
    if pl:
        servers += [("chumicro", CHUMICRO_SERVER, pl), ("microdot", MICRODOT_SERVER, pl)]
    servers.append(("rawbytes", RAW_BYTES_SERVER, lib))
    servers.append(("floor", FLOOR_SERVER, lib))
    servers.append(("floor-aio", FLOOR_AIO_SERVER, lib))
    names = [s[0] for s in servers]
    out = {}
    for n in (1, 8):
        out[n] = serve_rounds(servers, a.client, n, a.msgs // n, a.rounds)
    print("Server rows: %s clients, %d interleaved rounds of %d messages (peers %d), %s; "
          "load average %s. Cells: median msgs/s, then the median of the per-round ratios to "
          "raw's rate in the same round [least-most]; best round: each server's fastest round "
          "against raw's; by CPU time: the rate the CPU time says (client and server share "
          "one CPU), without what other processes took: steady under load" % (a.client, a.rounds, a.msgs, max(a.msgs // 4, 100), pin,
                                            "%.1f %.1f %.1f" % os.getloadavg()))
    print()
    print("| row | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for n in (1, 8):
        res = out[n]
        cells = ["%.0f" % median([r[0] for r in res["raw"]])]
        for name in names[1:]:
            cells.append("%.0f (%.2fx [%.2f-%.2f])" % ((median([r[0] for r in res[name]]),)
                                                      + ratios(res, name)))
        print("| server, 64 B echo, %d client%s (msgs/s) | %s |"
              % (n, "s" if n > 1 else "", " | ".join(cells)))
    for n in (1, 8):
        res = out[n]
        top = max(r[0] for r in res["raw"])
        print("| server, %d client%s: best round (msgs/s) | %s |"
              % (n, "s" if n > 1 else "", " | ".join(
                  ["%.0f" % top] + ["%.0f (%.2fx)" % (v, v / top) for v in
                                     [max(r[0] for r in res[k]) for k in names[1:]]])))
    for n in (1, 8):  # (each round's rate without the time other processes took)
        res = {k: [(1e6 / (r[1] + r[2]),) for r in v] for k, v in out[n].items()}
        cells = ["%.0f" % median([r[0] for r in res["raw"]])]
        for name in names[1:]:
            cells.append("%.0f (%.2fx [%.2f-%.2f])" % ((median([r[0] for r in res[name]]),)
                                                      + ratios(res, name)))
        print("| server, %d client%s, msgs/s by CPU time: 1e6 / (client + server us per "
              "message) | %s |" % (n, "s" if n > 1 else "", " | ".join(cells)))
    for n in (1, 8):
        res = out[n]
        cells = ["%.1f" % median([r[1] for r in res["raw"]])]
        for name in names[1:]:
            cells.append("%.1f (%.2fx [%.2f-%.2f])" % ((median([r[1] for r in res[name]]),)
                                                      + ratios(res, name, 1, True)))
        print("| server CPU us per message, %d client%s (raw's / its) | %s |"
              % (n, "s" if n > 1 else "", " | ".join(cells)))
    for n in (1, 8):
        res = out[n]
        print("| client CPU us per message, %d client%s | %s |"
              % (n, "s" if n > 1 else "", " | ".join("%.1f" % median([r[2] for r in res[k]])
                                                     for k in names)))
    tick = 1e6 / os.sysconf("SC_CLK_TCK")  # us
    for n in (1, 8):  # where the server's clock goes (sums over the rounds): user or kernel
        res = out[n]  # time, and how often it slept (voluntary) or was preempted
        cells = []
        for k in names:
            t = [sum(r[i] for r in res[k]) for i in range(3, 8)]
            cells.append("%.1f / %.1f, %.2f / %.2f" % (
                t[1] * tick / t[0], t[2] * tick / t[0], t[3] / t[0], t[4] / t[0]))
        print("| server user / kernel us, voluntary / involuntary context switches per "
              "message, %d client%s | %s |" % (n, "s" if n > 1 else "", " | ".join(cells)))
    print("(rawbytes: the raw server echoing bytes without a str or a call, the baseline "
          "before 6 Dec; floor: raw with OpenHarmony's API shape, FLOOR_SERVER; floor-aio: the same on "
          "asyncio's loop, FLOOR_AIO_SERVER)")
    if not pl and not a.no_peers:
        print("(peers not installed: pip install -r tools/requirements.txt)")
    dump(a, pin, crows, out)


def dump(a, pin, crows, out):
    if a.json:
        import json
        with open(a.json, "w") as f:
            json.dump({"client": a.client, "rounds": a.rounds, "msgs": a.msgs, "pin": pin,
                       "load": os.getloadavg(), "client_rows": crows,
                       "server": {n: out[n] for n in out}}, f, indent=1)


if __name__ == "__main__":
    main()
