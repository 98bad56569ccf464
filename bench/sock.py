#!/usr/bin/env python3
"""netstack.socket rows of `make bench`, each next to a minimal raw-socket baseline written
the way a MicroPython user would (blocking socket), both on the MicroPython unix port
against CPython peers on 127.0.0.1:

  TCP send MB/s     64 MiB to a sink           raw: sock.write; netstack: TCPSocket.send
  TCP receive MB/s  64 MiB from a source       raw: recv(4096) (netstack's RECV_BUF) to a
                                               handler; netstack: message events
  UDP datagrams/s   50,000 x 512 B to a sink   raw: sendto; netstack: UDPSocket.send
  TCP accepts/s     200 connects by CPython    raw: accept+close; netstack: TCPSocketServer
  TLS send MB/s     16 MiB to a TLS sink       raw: tls socket write; netstack: TLSSocket

More sides where they tell something: `aio` (the raw socket non-blocking under asyncio's
poller), `floor` (the send rows: the thinnest object with an awaitable send(options) over
that socket: what any such API costs here), `cb` (the send rows: send's callback form,
each callback starting the next send), `into` (the receive row: readinto one buffer,
no bytes per read: the data is not the user's to keep), `before` (--before LIB: another
build of the library, e.g. main's, for a before/after in the same runs).

Honest baselines: all sides are timed over the same span (after connect / handshake /
bind for the sending rows, from connect for receiving), imports and setup outside it; the
sizes are large enough for the ms clock (8 MiB took 10 ms raw); each side runs --runs
times (default 3) alternating with the others, and the best run counts (a loaded machine).

    python bench/sock.py [--lib build/lib] [--before LIB] [--only tcp_send,...]
    python bench/sock.py --callgrind      # instructions per operation (valgrind), no times

Targets (issue 9): netstack >= 0.9x raw for the bulk and datagram rows; a missed target
is reported, not fatal.
"""
import argparse
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MP = os.path.join(ROOT, ".venv", "bin", "micropython")
MB = 1 << 20

MP_CODE = r'''
import sys, time, socket, asyncio, gc
from netstack import socket as ns
import netstack
case, who = sys.argv[1], sys.argv[2]
port, n = int(sys.argv[3]), int(sys.argv[4])
ca = sys.argv[5] if len(sys.argv) > 5 else None
A = {"address": "127.0.0.1", "port": port}
blob = bytes(range(256)) * 64  # 16 KiB
CHUNK = 4096  # receive size: netstack's (RECV_BUF) for both
q = asyncio.core._io_queue

def out(t):
    print("RESULT", time.ticks_diff(time.ticks_ms(), t))

async def until(pred):
    while not pred():
        await asyncio.sleep_ms(1)

# The "aio" baseline: the same raw socket made non-blocking and driven by asyncio's
# poller (what any asyncio program pays: a wait when the kernel says EAGAIN), no library.
def writable(s):
    yield q.queue_write(s)

def readable(s):
    yield q.queue_read(s)

def addr():
    return socket.getaddrinfo("127.0.0.1", port)[0][-1]

# The "floor" side: the thinnest object with the awaitable API's shape (a send(options)
# method whose result is awaited) over the same non-blocking socket: what any library
# offering `await sock.send({...})` costs on this runtime at least, before argument checks,
# states, errors and events. Its done awaitable is the cheapest there is: a generator that
# has ended (the await runs natively; an object with a Python __iter__ costs 800
# instructions more), and each send's frame stays on the C stack (at most 11 words).
def _ended():
    yield
DONE = _ended()
list(DONE)

class Floor:  # TCP
    def __init__(self, s):
        self.s = s

    def send(self, o):
        d = o["data"]
        k = self.s.write(d)
        if k == len(d):
            return DONE
        return self.rest(d, k or 0)

    async def rest(self, d, off):
        s = self.s
        while off < len(d):
            await writable(s)
            off += s.write(memoryview(d)[off:]) or 0

class FloorU:  # UDP
    def __init__(self, s, sa):
        self.s = s
        self.sa = sa

    def send(self, o):
        try:
            self.s.sendto(o["data"], self.sa)
            return DONE
        except OSError:  # EAGAIN
            return self.rest(o["data"])

    async def rest(self, d):
        while True:
            await writable(self.s)
            try:
                self.s.sendto(d, self.sa)
                return
            except OSError:
                pass

# The "cb" side: send's callback form, each send's callback starting the next (as a
# program written with callbacks sends in order); the span ends when the last one is
# called back (found within 1 ms: `until`).
left = [0]
def chain(send, k):
    def next_(err, data):
        if err is not None:
            print("send failed:", err)
            left[0] = 0
            return
        left[0] -= 1
        if left[0] > 0:
            send(next_)
    left[0] = k
    send(next_)

got = [0]
def count(m):  # the user's handler: raw and aio get the same bytes a message event carries
    got[0] += len(m)

if case == "tcp_send":
    if who == "raw":
        s = socket.socket(); s.connect(addr())
        t = time.ticks_ms()
        for i in range(n // len(blob)):
            s.write(blob)
        s.close()
        out(t)
    elif who == "aio":
        async def main():
            s = socket.socket(); s.connect(addr()); s.setblocking(False)
            t = time.ticks_ms()
            L = len(blob)
            for i in range(n // L):
                off = 0
                while off < L:  # as any non-blocking writer: the rest after EAGAIN
                    k = s.write(memoryview(blob)[off:] if off else blob)
                    if k is None:
                        await writable(s)
                        continue
                    off += k
            s.close()
            out(t)
        asyncio.run(main())
    elif who == "floor":
        async def main():
            s = socket.socket(); s.connect(addr()); s.setblocking(False)
            f = Floor(s)
            t = time.ticks_ms()
            for i in range(n // len(blob)):
                await f.send({"data": blob})
            s.close()
            out(t)
        asyncio.run(main())
    elif who == "cb":
        async def main():
            s = ns.constructTCPSocketInstance()
            await s.connect({"address": A})
            chain(lambda cb: s.send({"data": blob}, cb), n // len(blob))
            t = time.ticks_ms()
            await until(lambda: left[0] <= 0)
            await s.close()
            out(t)
        netstack.run(main())
    else:
        async def main():
            s = ns.constructTCPSocketInstance()
            await s.connect({"address": A})
            t = time.ticks_ms()
            for i in range(n // len(blob)):
                await s.send({"data": blob})
            await s.close()
            out(t)
        netstack.run(main())
elif case == "tcp_recv":
    # timed from the connect (the source sends as soon as it accepts), the socket made
    if who == "raw":
        s = socket.socket(); a = addr()
        t = time.ticks_ms()
        s.connect(a)
        while got[0] < n:
            m = s.recv(CHUNK)
            if not m:
                break
            count(m)
        s.close()
        out(t)
    elif who == "into":
        # readinto one preallocated buffer: no bytes per read (the data is not kept: not
        # what a message event gives, the floor of any receive)
        s = socket.socket(); a = addr()
        buf = bytearray(CHUNK)
        t = time.ticks_ms()
        s.connect(a)
        while got[0] < n:
            k = s.readinto(buf)
            if not k:
                break
            got[0] += k
        s.close()
        out(t)
    elif who == "aio":
        async def main():
            s = socket.socket(); a = addr()
            t = time.ticks_ms()
            s.connect(a); s.setblocking(False)
            while got[0] < n:
                m = s.read(CHUNK)
                if m is None:
                    await readable(s)
                    continue
                if not m:
                    break
                count(m)
            s.close()
            out(t)
        asyncio.run(main())
    else:
        def on_msg(m):
            count(m["message"])
        async def main():
            s = ns.constructTCPSocketInstance()
            s.on("message", on_msg)
            t = time.ticks_ms()
            await s.connect({"address": A})
            await until(lambda: got[0] >= n)
            out(t)
            if not (await s.getState())["isClose"]:  # (the source's FIN may have closed it)
                await s.close()
        netstack.run(main())
elif case == "udp_send":
    d = bytes(512)
    if who == "raw":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        a = socket.getaddrinfo("127.0.0.1", port)[0][-1]
        t = time.ticks_ms()
        for i in range(n):
            s.sendto(d, a)
        s.close()
        out(t)
    elif who == "aio":
        async def main():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setblocking(False)
            a = socket.getaddrinfo("127.0.0.1", port)[0][-1]
            t = time.ticks_ms()
            for i in range(n):
                while True:
                    try:
                        s.sendto(d, a)
                        break
                    except OSError:  # EAGAIN
                        await writable(s)
            s.close()
            out(t)
        asyncio.run(main())
    elif who == "floor":
        async def main():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setblocking(False)
            f = FloorU(s, socket.getaddrinfo("127.0.0.1", port)[0][-1])
            o = {"data": d, "address": A}
            t = time.ticks_ms()
            for i in range(n):
                await f.send(o)
            s.close()
            out(t)
        asyncio.run(main())
    elif who == "cb":
        async def main():
            u = ns.constructUDPSocketInstance()
            await u.bind({"address": "127.0.0.1"})
            o = {"data": d, "address": A}
            await u.send(o)  # (as the other sides: the destination known before the span)
            chain(lambda cb: u.send(o, cb), n)
            t = time.ticks_ms()
            await until(lambda: left[0] <= 0)
            await u.close()
            out(t)
        netstack.run(main())
    else:
        async def main():
            u = ns.constructUDPSocketInstance()
            await u.bind({"address": "127.0.0.1"})
            o = {"data": d, "address": A}
            t = time.ticks_ms()
            for i in range(n):
                await u.send(o)
            await u.close()
            out(t)
        netstack.run(main())
elif case == "accept":
    # port: where to tell the CPython client our port; n: connections
    if who != "netstack":
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1]); ls.listen(64)
        print("PORT", port)
        t = time.ticks_ms()
        for i in range(n):
            c, a = ls.accept(); c.close()
        out(t)
    else:
        async def main():
            srv = ns.constructTCPSocketServerInstance()
            def on_conn(c):
                got[0] += 1
                c.close(lambda e, d: None)
            srv.on("connect", on_conn)
            await srv.listen({"address": "127.0.0.1", "port": port})
            print("PORT", port)
            t = time.ticks_ms()
            await until(lambda: got[0] >= n)
            out(t)
            await srv.close()
        netstack.run(main())
elif case == "tls_send":
    # timed after the handshake (both: connect returns once the certificate was checked)
    cadata = open(ca).read()
    if who != "netstack":
        import tls
        from netstack.transport.tls import pem_to_ders
        ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(pem_to_ders(cadata)[0]); ctx.verify_mode = tls.CERT_REQUIRED
        s = socket.socket(); s.connect(addr())
        s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
        t = time.ticks_ms()
        for i in range(n // len(blob)):
            s.write(blob)
        s.close()
        out(t)
    else:
        async def main():
            s = ns.constructTLSSocketInstance()
            await s.connect({"address": A, "secureOptions": {"ca": cadata}})
            t = time.ticks_ms()
            for i in range(n // len(blob)):
                await s.send({"data": blob})
            await s.close()
            out(t)
        netstack.run(main())
'''


def _sink(ctx=None):
    """A TCP server that reads and drops everything; -> port."""
    ls = socket.create_server(("127.0.0.1", 0), backlog=64)

    def one(c):
        try:
            if ctx is not None:
                c = ctx.wrap_socket(c, server_side=True)
            while c.recv(1 << 16):
                pass
        except OSError:
            pass
        c.close()

    def loop():
        while True:
            c, _ = ls.accept()
            threading.Thread(target=one, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return ls.getsockname()[1]


def _source(size):
    """A TCP server that sends size[0] bytes to each client, then closes; -> port."""
    ls = socket.create_server(("127.0.0.1", 0), backlog=64)
    blob = bytes(range(256)) * 256

    def one(c):
        try:
            left = size[0]
            while left > 0:
                k = c.send(blob[:left])
                left -= k
            c.shutdown(socket.SHUT_WR)
            c.recv(10)
        except OSError:
            pass
        c.close()

    def loop():
        while True:
            c, _ = ls.accept()
            threading.Thread(target=one, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return ls.getsockname()[1]


def _udp_sink():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind(("127.0.0.1", 0))

    def loop():
        while True:
            s.recv(2048)
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def run_mp(lib, script, args, client=None, callgrind=None):
    env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
    cmd = [MP, "-X", "heapsize=2m", script] + [str(a) for a in args]
    if callgrind is not None:
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + callgrind] + cmd
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if client is not None:
        line = ""
        while not line.startswith("PORT"):  # (valgrind's own lines come first)
            line = p.stdout.readline()
            if not line:
                raise RuntimeError("no PORT line: " + p.stdout.read())
        client(int(line.split()[1]))
    out, _ = p.communicate(timeout=900)
    for line in out.splitlines():
        if line.startswith("RESULT"):
            return int(line.split()[1])
    raise RuntimeError("%s %s failed:\n%s" % (args[0], args[1], out))


def instructions(path):
    """Total instructions (Ir) of a callgrind output file."""
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + path)


# name, case, sink, operations, units per run; the callgrind mode runs n1 and 2*n1 operations
ROWS = (("TCP send MB/s", "tcp_send", "sink", 64 * MB, 64.0, 512 * 16384),
        ("TCP receive MB/s", "tcp_recv", "src", 64 * MB, 64.0, 2048 * 4096),
        ("UDP datagrams/s", "udp_send", "usink", 50000, 50000, 5000),
        ("TCP accepts/s", "accept", None, 200, 200, 0),
        ("TLS send MB/s", "tls_send", "tsink", 16 * MB, 16.0, 0))
PER_OP = {"tcp_send": 16384, "tcp_recv": 4096, "udp_send": 1}  # bytes (or 1) per operation
SIDES = ("raw", "into", "aio", "floor", "cb", "netstack")
TARGETS = ("tcp_send", "tcp_recv", "udp_send", "tls_send")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--json")
    ap.add_argument("--runs", type=int, default=3, help="runs of each side; the best counts")
    ap.add_argument("--before", help="another build of the library (e.g. main's build/lib), run as "
                                     "the side 'before', alternating with the others")
    ap.add_argument("--only", help="rows to run, by case: tcp_send,tcp_recv,udp_send,accept,tls_send")
    ap.add_argument("--callgrind", action="store_true",
                    help="instructions per operation instead of times (valgrind): each side "
                         "runs n and 2n operations, the difference over n cancels start-up")
    args = ap.parse_args()
    only = args.only.split(",") if args.only else None
    import trustme
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(sctx)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "sockbench.py")
        with open(script, "w") as f:
            f.write(MP_CODE)
        capath = os.path.join(d, "ca.pem")
        ca.cert_pem.write_to_path(capath)
        src_size = [64 * MB]
        peers = {"sink": _sink(), "src": _source(src_size), "usink": _udp_sink(), "tsink": _sink(sctx)}

        def free_port():
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
            s.close()
            return p

        def clients(n):
            def go(port):
                for i in range(n):
                    for k in range(50):
                        try:
                            socket.create_connection(("127.0.0.1", port), timeout=5).close()
                            break
                        except ConnectionRefusedError:
                            time.sleep(0.01)
            return go

        for name, case, peer, n, per, cg_n in ROWS:
            if only and case not in only:
                continue
            sides = ("raw", "aio", "floor", "cb", "netstack") if case in ("tcp_send", "udp_send") else (
                ("raw", "into", "aio", "netstack") if case == "tcp_recv" else ("raw", "netstack"))
            if args.before:
                sides += ("before",)
            if args.callgrind:
                if not cg_n:
                    continue
                res = {}
                for who in sides:
                    ir = []
                    for k in (1, 2):
                        out = os.path.join(d, "cg.out")
                        src_size[0] = k * cg_n  # (the source sends what is asked)
                        run_mp(args.before if who == "before" else args.lib, script,
                               [case, "netstack" if who == "before" else who, peers[peer], k * cg_n],
                               callgrind=out)
                        ir.append(instructions(out))
                    res[who] = (ir[1] - ir[0]) / (cg_n // PER_OP[case])
                rows.append(dict(row=name.split(" MB/s")[0].split("/s")[0] + " per operation",
                                 **{w: round(res[w]) for w in sides}))
                print(rows[-1], flush=True)
                continue
            src_size[0] = 64 * MB
            res = dict.fromkeys(sides, 0)
            for k in range(args.runs):  # alternating, the best of each: a loaded machine
                for who in sides:
                    p = peers[peer] if peer is not None else free_port()
                    extra = [capath] if case == "tls_send" else []
                    ms = run_mp(args.before if who == "before" else args.lib, script,
                                [case, "netstack" if who == "before" else who, p, n] + extra,
                                clients(n) if case == "accept" else None)
                    res[who] = max(res[who], per / max(ms, 1) * 1000)
            ratio = res["netstack"] / res["raw"]
            row = {"row": name, "ratio": round(ratio, 2),
                   "target": ("PASS" if ratio >= 0.9 else "FAIL") if case in TARGETS else "-"}
            for w in sides:
                row[w] = round(res[w], 1)
            rows.append(row)
    if args.callgrind:
        print("instructions per operation (callgrind):")
        for r in rows:
            print("%-36s %s" % (r["row"], "  ".join("%s %d" % (w, r[w]) for w in SIDES + ("before",) if w in r)))
    else:
        w = max(len(r["row"]) for r in rows)
        print("%-*s %10s %10s %10s %10s %10s %10s %10s %6s  %s" % (
            w, "netstack.socket", "raw", "into", "aio", "floor", "callback", "before", "netstack",
            "x raw", "target >= 0.9x raw"))
        for r in rows:
            print("%-*s %10.1f %10s %10s %10s %10s %10s %10.1f %6.2f  %s" % (
                w, r["row"], r["raw"], r.get("into", "-"), r.get("aio", "-"), r.get("floor", "-"),
                r.get("cb", "-"), r.get("before", "-"), r["netstack"], r["ratio"], r["target"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
