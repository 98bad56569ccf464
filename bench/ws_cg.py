#!/usr/bin/env python3
"""Instructions per WebSocket message of the MicroPython process (valgrind callgrind): each
case runs with N and 2N messages, and the difference divided by N is the cost of one
message (imports, handshake and close drop out); the least count of --runs runs per length
is taken (the clock only adds work: a message that arrives while the loop is busy skips a
wait). Far steadier than the wall clock on a shared machine.

    python bench/ws_cg.py [--lib build/lib] [--n 500] [--runs 3] [--gap MS] [--clients N] [--window]
                          [--client lean|websockets] [case ...]

cases:
  client, rawclient        64 B text echo round trip against CPython websockets: netstack,
                           bench/ws_mp.py's raw baseline
  client64k, rawclient64k  64 KiB binary echo round trips (N/10 of them)
  server, rawserver        64 B echo per message to --clients CPython clients (ws_run.Lean
                           sockets: all send, then all echoes are read, then --gap; the
                           figures of docs/websocket.md use --gap 10): netstack,
                           ws_run.RAW_SERVER (text as a str through a function, as the API)
  rawbytes                 ws_run.RAW_BYTES_SERVER: the raw server echoing bytes (no str)
  floor                    ws_run.FLOOR_SERVER: raw's framing and loop with OpenHarmony's
                           API shape (a listener given {clientConnection, data}, send())
  flooraio                 ws_run.FLOOR_AIO_SERVER: the same on asyncio's loop
  microdot                 microdot's server (ended by SIGTERM; chumicro's server polls in a
                           busy loop: its count follows the clock, not the work)
  srvloop, cliloop         bench/ws_loop.py: the session's path per message without the
                           network or the event loop (deterministic: one run per length)
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import ws_run  # noqa: E402

MP = os.path.join(ROOT, ".venv", "bin", "micropython")

def _instr(out):
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + out)


def callgrind(argv, env, tmp, tag):
    out = os.path.join(tmp, "cg.%s" % tag)
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + VG + argv,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p, out


def client_case(kind, lib, n, tmp, size=64, what="text"):
    echo = ws_run.Echo()
    env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
    try:
        res = []
        for k in [n] * RUNS + [2 * n] * RUNS:
            p, out = callgrind([MP, "-X", "heapsize=" + ws_run.HEAP, os.path.join(HERE, "ws_mp.py"),
                                kind, "127.0.0.1", str(echo.port), str(size), str(k), what],
                               env, tmp, "%s%d" % (kind, k))
            o = p.communicate(timeout=600)[0]
            if p.returncode:
                raise RuntimeError(o[-2000:])
            res.append(_instr(out))
        return (min(res[RUNS:]) - min(res[:RUNS])) / n
    finally:
        echo.close()


def server_case(src, lib, n, tmp, exits=True):
    # the server script exits when the client's close comes (callgrind writes at exit)
    import asyncio
    from websockets.asyncio.client import connect
    env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
    res = []
    for k in ([n] * RUNS if WINDOW else [n] * RUNS + [2 * n] * RUNS):
        port = ws_run.free_port()
        path = os.path.join(tmp, "%s%d.py" % (CASE, k))
        with open(path, "w") as f:
            f.write(src.replace("CLIENTS", str(CLIENTS)))
        p, out = callgrind([MP, "-X", "heapsize=" + ws_run.HEAP, path, str(port), str(k)],
                           env, tmp, "%s%d" % (CASE, k))
        import socket
        import time
        t = time.time() + 60
        while time.time() < t:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                time.sleep(0.2)

        if LEAN:  # ws_run.Lean's sockets: every client sends, then each echo is read, a gap
            c = ws_run.Lean(port, CLIENTS)
            m = len(c.echo)
            buf = bytearray(m)
            for j in range(2 * k // CLIENTS if WINDOW else k // CLIENTS):
                if WINDOW and j == k // CLIENTS:  # the counts from here (k warm-up messages)
                    _control("-z", p.pid)
                for sk in c.socks:
                    sk.sendall(c.out)
                for sk in c.socks:
                    got = 0
                    while got < m:
                        r = sk.recv_into(memoryview(buf)[got:])
                        if not r:
                            raise RuntimeError("connection closed")
                        got += r
                    if buf != c.echo:
                        raise RuntimeError("wrong echo")
                if GAP:
                    time.sleep(GAP / 1000)
            if WINDOW:  # (dumped as out.1: the k messages after the warm-up)
                _control("-d", p.pid)
            c.close()
        else:
            async def one():
                async with connect("ws://127.0.0.1:%d/" % port, compression=None, max_size=None,
                                   ping_interval=None, open_timeout=60, close_timeout=60) as ws:
                    for _ in range(k // CLIENTS):
                        await ws.send("a" * 64)
                        await ws.recv()
                        if GAP:
                            await asyncio.sleep(GAP / 1000)

            async def many():
                await asyncio.gather(*[one() for _ in range(CLIENTS)])

            asyncio.run(many())
        try:
            p.communicate(timeout=120 if exits else 2)
        except subprocess.TimeoutExpired:
            p.terminate()  # (valgrind still writes the counts: peers that never exit)
            p.communicate(timeout=60)
        res.append(_instr(out + ".1" if WINDOW else out))
    if WINDOW:
        return min(res) / n
    return (min(res[RUNS:]) - min(res[:RUNS])) / n


def _control(what, pid):
    # callgrind_control -z (zero the counts) or -d (dump them) of a running server; it waits
    # until valgrind has done it (a server blocked in poll is interrupted through vgdb)
    r = subprocess.run(["callgrind_control", what, str(pid)], capture_output=True, text=True,
                       timeout=120)
    if r.returncode:
        raise RuntimeError("callgrind_control %s: %s" % (what, r.stdout + r.stderr))


RUNS = 3
WINDOW = False
VG = []  # (--vg: more valgrind options)
CASE = "srv"  # (the server case's name: its files' in --keep)
GAP = 0
CLIENTS = 1
LEAN = True
def loop_case(role, lib, n, tmp):
    # bench/ws_loop.py: deterministic, one run per length
    env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
    res = []
    for k in (n, 2 * n):
        p, out = callgrind([MP, "-X", "heapsize=" + ws_run.HEAP, os.path.join(HERE, "ws_loop.py"),
                            role, str(k)], env, tmp, "loop%s%d" % (role, k))
        o = p.communicate(timeout=600)[0]
        if p.returncode:
            raise RuntimeError(o[-2000:])
        res.append(_instr(out))
    return (res[1] - res[0]) / n


# the servers exit when their (second: the first is the readiness probe) client goes away
SERVERS = {
    "server": ws_run.SERVER.replace(
        'srv.on("messageReceive"',
        'conns = [0]\ndef _cl(c, r):\n    conns[0] += 1\n    if conns[0] >= CLIENTS:\n        sys.exit(0)\n'
        'srv.on("close", _cl)\nsrv.on("messageReceive"'),
    "rawserver": ws_run.RAW_SERVER.replace(
        "p.unregister(s); s.close(); up.pop(s, None); break",
        "p.unregister(s); s.close(); up.pop(s, None)\n"
        "                if not up: sys.exit(0)\n                break"),
    "floor": ws_run.FLOOR_SERVER.replace(
        "p.unregister(s); s.close(); up.pop(s, None); refs.pop(s, None); break",
        "p.unregister(s); s.close(); up.pop(s, None); refs.pop(s, None)\n"
        "                if not up: sys.exit(0)\n                break"),
    "flooraio": ws_run.FLOOR_AIO_SERVER.replace(
        "    s.close()\n", "    s.close()\n    if hs and not refs:\n        sys.exit(0)\n"),
    "rawbytes": ws_run.RAW_BYTES_SERVER.replace(
        "p.unregister(s); s.close(); up.pop(s, None); break",
        "p.unregister(s); s.close(); sys.exit(0)"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3, help="runs per length: the least count is "
                    "taken (the wall clock adds instructions, never removes them: a message "
                    "that arrives while the loop is busy skips a wait)")
    ap.add_argument("--keep", help="copy the callgrind files here")
    ap.add_argument("--gap", type=float, default=0, help="server cases: the client waits this "
                    "many ms after each echo, so that every message finds the server waiting "
                    "in the event loop, as at full speed (under valgrind the server is ~50x "
                    "slower, and without a gap the next message is mostly there already when "
                    "it reads again: a wait skipped)")
    ap.add_argument("--clients", type=int, default=1, help="server cases: this many concurrent "
                    "clients (N messages in all); the netstack server exits after their closes")
    ap.add_argument("--client", choices=("lean", "websockets"), default="lean",
                    help="server cases: ws_run.Lean's raw sockets (each round: every client "
                    "sends, then every echo is read, then the gap: the same batches every "
                    "run), or websockets' asyncio clients (before 7 Dec 04:00 UTC; with 8 "
                    "clients the batching follows the timing: 36-60k for one build)")
    ap.add_argument("--window", action="store_true", help="server cases (lean client): one "
                    "length, N messages counted after N warm-up ones (callgrind_control zeroes "
                    "the counts, then dumps them), instead of runs of N and 2N differenced: "
                    "what the heap's growth costs at the close (each allocation there scans "
                    "from a freed block low in the heap to the frontier, ~N/2 instructions for "
                    "each, several per closing session) then stays out. 7 Dec: 8 clients "
                    "44.5-45.7k by the window, 47.2k differenced (gc_alloc 1.3k against 4.1k)")
    ap.add_argument("--vg", action="append", default=[], metavar="OPT", help="a valgrind "
                    "option more (e.g. --vg=--separate-recs=12: each nested Python call's "
                    "bytecode apart, as mp_execute_bytecode'N, with --keep)")
    ap.add_argument("cases", nargs="*", default=["client", "rawclient", "server", "rawserver"])
    a = ap.parse_args()
    global RUNS, GAP, CLIENTS, LEAN, WINDOW, CASE, VG
    LEAN = a.client == "lean"
    WINDOW = a.window
    VG = a.vg
    if WINDOW and not LEAN:
        ap.error("--window needs the lean client")
    RUNS = a.runs
    GAP = a.gap
    CLIENTS = a.clients
    with tempfile.TemporaryDirectory(prefix="ws-cg-") as tmp:
        if a.keep:
            tmp = a.keep
            os.makedirs(tmp, exist_ok=True)
        for c in a.cases:
            if c == "client":
                v = client_case("netstack", a.lib, a.n, tmp)
            elif c == "rawclient":
                v = client_case("raw", a.lib, a.n, tmp)
            elif c in ("client64k", "rawclient64k"):  # 64 KiB binary echoes, n/10 of them
                v = client_case("raw" if c[0] == "r" else "netstack", a.lib, max(a.n // 10, 5),
                                tmp, 65536, "binary")
            elif c in ("srvloop", "cliloop"):
                v = loop_case("server" if c == "srvloop" else "client", a.lib, a.n, tmp)
            elif c in SERVERS:
                CASE = c
                v = server_case(SERVERS[c], a.lib, a.n, tmp)
            else:  # a peer's server (microdot, chumicro), ended by SIGTERM
                pl = ws_run.peers_lib()
                src = {"microdot": ws_run.MICRODOT_SERVER, "chumicro": ws_run.CHUMICRO_SERVER}[c]
                v = server_case(src, pl, a.n, tmp, exits=False)
            print("%-10s %8.1fk instructions per message" % (c, v / 1000))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
