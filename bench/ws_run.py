#!/usr/bin/env python3
"""WebSocket rows of `make bench`: echo round trips per second of the MicroPython client
(netstack.webSocket vs a minimal raw-socket client with a viper mask, bench/ws_mp.py, and
chumicro-websockets) against a CPython websockets echo server without compression;
messages per second served by MicroPython servers (netstack, a minimal raw select.poll
server, chumicro-websockets, microdot) to 1 and 8 concurrent CPython websockets clients,
500 messages each (the time includes each client's handshake and close). Unix port at 2m
heap; best of 3 per cell; prints a table with the ratio to the raw baseline. The PyPI peers
(pinned in tools/requirements.txt) run from build/bench-peers, links into .venv.
micropython-lib's aiohttp is not on PyPI (mip only): no row."""
import asyncio
import os
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
    def __init__(self):
        from websockets.asyncio.server import serve
        self.port = free_port()
        self.ready = threading.Event()

        async def handler(ws):
            try:
                async for m in ws:
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
    env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
    p = subprocess.run([os.path.join(BIN, "micropython"), "-X", "heapsize=" + HEAP,
                        os.path.join(HERE, "ws_mp.py")] + [str(a) for a in args], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return float(line.split()[1])
    raise RuntimeError("ws_mp.py %s failed:\n%s" % (args, p.stdout[-2000:]))


def best(fn, n=3):
    return max(fn() for _ in range(n))


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


def serve_rate(src, lib, clients, msgs, size=64):
    port = free_port()
    path = os.path.join("/tmp", "ws_bench_server_%d.py" % os.getpid())
    with open(path, "w") as f:
        f.write(src)
    env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
    p = subprocess.Popen([os.path.join(BIN, "micropython"), "-X", "heapsize=" + HEAP, path,
                          str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        t = time.time() + 10
        while time.time() < t:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        from websockets.asyncio.client import connect

        async def one():
            async with connect("ws://127.0.0.1:%d/" % port, compression=None, max_size=None,
                               ping_interval=None) as ws:
                data = "a" * size
                for _ in range(msgs):
                    await ws.send(data)
                    await ws.recv()

        async def many():
            t0 = time.perf_counter()
            await asyncio.gather(*[one() for _ in range(clients)])
            return clients * msgs / (time.perf_counter() - t0)

        return asyncio.run(many())
    finally:
        p.terminate()
        p.wait(5)
        os.unlink(path)


def main():
    lib = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "lib")
    pl = peers_lib()
    echo = Echo()
    rows = []
    try:
        for label, size, count, kind in (("64 B text echo", 64, 2000, "text"),
                                         ("64 KiB binary echo", 65536, 200, "binary")):
            raw = best(lambda: mp(["raw", "127.0.0.1", echo.port, size, count, kind], lib))
            ns = best(lambda: mp(["netstack", "127.0.0.1", echo.port, size, count, kind], lib))
            ch = None
            if pl:
                c = count if size < 1024 else 20  # ~10 round trips/s at 64 KiB
                ch = best(lambda: mp(["chumicro", "127.0.0.1", echo.port, size, c, kind], pl))
            rows.append((label + " (round trips/s)", raw, ns, ch, None))
    finally:
        echo.close()
    notes = []
    for n in (1, 8):
        raw = best(lambda: serve_rate(RAW_SERVER, lib, n, 500))
        ns = best(lambda: serve_rate(SERVER, lib, n, 500))
        ch = md = None
        if pl:
            ch = best(lambda: serve_rate(CHUMICRO_SERVER, pl, n, 500))
            md = best(lambda: serve_rate(MICRODOT_SERVER, pl, n, 500))
        rows.append(("server, 64 B echo, %d client%s (msgs/s)" % (n, "s" if n > 1 else ""),
                     raw, ns, ch, md))
        rb = best(lambda: serve_rate(RAW_BYTES_SERVER, lib, n, 500))
        notes.append("server, %d client%s: the raw server echoing bytes without a str or a "
                     "call (the baseline before 6 Dec): %.0f msgs/s; netstack %.2fx of it"
                     % (n, "s" if n > 1 else "", rb, ns / rb))

    def cell(v, raw):
        return "-" if v is None else "%.0f (%.2fx)" % (v, v / raw)

    print("| row | raw MicroPython baseline | netstack | chumicro-websockets | microdot |")
    print("|---|---|---|---|---|")
    for label, raw, ns, ch, md in rows:
        print("| %s | %.0f | %s | %s | %s |" % (label, raw, cell(ns, raw), cell(ch, raw),
                                              cell(md, raw)))
    for line in notes:
        print(line)
    if not pl:
        print("(peers not installed: pip install -r tools/requirements.txt)")


if __name__ == "__main__":
    main()
