#!/usr/bin/env python3
"""WebSocket RAM rows (issue 10, §6) with the code in a ROMFS image, the way bench/ram.py
measures http: the image is read into the heap first (bench/mp_rom.py; on a board it is
in flash) and the heap cap is raised by its size.

    python bench/ws_ram.py [--lib build/lib] [--phases] [--no-search]

Rows (unix port, x64):
  import   heap allocated by `from netstack import webSocket` (after asyncio and netstack)
  echo     smallest -X heapsize (1k steps, bisection confirmed twice: bench/run.py's
           search) at which one ws echo round trip passes: connect (no TLS) to a CPython
           websockets echo server, a 64 B text message and its echo, close -> image + K
--phases: one run at a roomy heap printing the heap after each step and the modules
loaded (what the echo carries). --walk: the same modules imported one by one (heap and
interned names each adds), then the heap at open by kind (functions, constants, dicts...);
--names lists the names each step interns."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import run as bench  # noqa: E402
import ram  # noqa: E402
import ws_run  # noqa: E402

# the MicroPython side: mounted by mp_rom, its own code kept small (it is counted)
ECHO = r'''
import sys, gc
ph = sys.argv[2] == "1"
def mark(what):
    if ph:
        gc.collect()
        print('{"%s":[%d,%d]}' % (what, gc.mem_alloc(), gc.mem_free()))
mark("start")
import netstack
mark("netstack")
from netstack import webSocket
mark("webSocket")
ws = webSocket.createWebSocket()
mark("createWebSocket")
got = []
def nop(e, d):
    pass
ws.on("open", lambda o: (mark("open"), ws.send("a" * 64, nop)))
ws.on("message", lambda m: (got.append(m), mark("message"), ws.close(None, nop)))
ws.on("close", lambda r: got.append(r))
ws.on("error", lambda e: print("error", e))
netstack.run(ws.connect(sys.argv[1], {"pingInterval": 0}))
netstack.run()
assert got[0] == "a" * 64 and got[1]["code"] == 1000, got
mark("done")
if ph:
    print("MODULES " + " ".join(sorted(sys.modules)))
print('{"ok":true}')
'''

# --walk: the echo's modules imported one by one in its load order (after a collection
# each: heap and interned names), then the echo itself; at open, the heap map by kind
WALK = r'''
import sys, gc, micropython
def m(tag):
    gc.collect()
    print("@%s %d" % (tag, gc.mem_alloc()))
    micropython.qstr_info(1)
m("start")
for n in MODS:
    __import__(n)
    m(n)
import netstack
ws = netstack.webSocket.createWebSocket()
m("createWebSocket")
got = []
def nop(e, d):
    pass
def op(o):
    m("open")
    micropython.mem_info(1)
    print("@@")
    ws.send("a" * 64, nop)
ws.on("open", op)
ws.on("message", lambda d: (got.append(d), ws.close(None, nop)))
netstack.run(ws.connect(sys.argv[1], {"pingInterval": 0}))
netstack.run()
assert got[0] == "a" * 64
print('{"ok":true}')
'''
WALK_MODS = ["netstack", "netstack.webSocket", "netstack._port",
             "netstack._ws_client", "netstack.proto", "netstack.proto.wsmask",
             "netstack.proto.ws", "netstack._ws_session", "netstack.transport",
             "netstack.proto.wshs"]
KINDS = {"B": "functions", "S": "str/bytes", "D": "dicts", "T": "tuples", "L": "lists",
         "A": "bytearrays", "M": "modules", "F": "floats", "h": "other (code records, "
         "attribute tables, qstr pools, classes, instances, frames)"}


def walk_report(out, size, names=False):
    """Print --walk's rows from the MicroPython run's output (names: and the names each
    step interns, as MicroPython lists them)."""
    import re
    last = None
    cells = []
    inmap = False
    seen = set()
    new = []
    for ln in out.splitlines():
        if ln.startswith("Q(") and ln.endswith(")"):
            if ln not in seen:
                seen.add(ln)
                new.append(ln[2:-1])
            continue
        t = re.match(r"@(\S+) (\d+)$", ln)
        if (t or ln == "@@") and new:  # (qstr_info lists them after its summary line)
            if names:
                print("    " + " ".join(new))
            new = []
        if t:
            tag, a = t.group(1), int(t.group(2))
            inmap = tag == "open"
            continue
        if ln == "@@":
            inmap = False
        q = re.match(r"qstr pool: n_pool=\d+, n_qstr=(\d+), .*n_total_bytes=(\d+)", ln)
        if q:
            now = (a, int(q.group(1)), int(q.group(2)))
            if last:
                print("%-22s heap %6d  +%5d   names %3d +%2d   name pools and text +%4d"
                      % (tag, a - size, a - last[0], now[1], now[1] - last[1], now[2] - last[2]))
            else:
                print("%-22s heap %6d (image subtracted)   names %3d" % (tag, a - size, now[1]))
            last = now
        elif inmap:
            r = re.match(r"[0-9a-f]+: (.*)$", ln)
            f = re.match(r"\s+\((\d+) lines all free\)", ln)
            if r:
                cells.append(r.group(1))
            elif f:
                cells.append("." * 64 * int(f.group(1)))
    kinds = {}
    cur = None
    for c in "".join(cells):  # a head block's letter, then '=' for its tail blocks
        if c == "=":
            if cur:
                kinds[cur][1] += 1
        elif c == ".":
            cur = None
        else:
            cur = c
            kinds.setdefault(c, [0, 0])
            kinds[c][0] += 1
            kinds[c][1] += 1
    if "h" in kinds:  # the image's bytearray is one of them: left out, as from the rows
        kinds["h"] = [kinds["h"][0] - 1, kinds["h"][1] - (size + 31) // 32]
    print("heap at open by kind (32-byte blocks, the image left out):")
    for c, (n, b) in sorted(kinds.items(), key=lambda x: -x[1][1]):
        print("  %-60s %4d objects %7d B" % (KINDS.get(c, c), n, b * 32))


IMPORT = r'''
import gc, asyncio, netstack
gc.collect()
a = gc.mem_alloc()
from netstack import webSocket
gc.collect()
print('{"ok":true,"alloc":%d}' % (gc.mem_alloc() - a))
'''


def run(tmp, img, size, heap, mod, args, timeout=30):
    env = dict(os.environ, MICROPYPATH=tmp + ":.frozen")
    try:
        p = subprocess.run([bench.MICROPYTHON, "-X", "heapsize=" + heap, "-m", "mp_rom", img,
                            str(size), mod] + args, env=env, cwd=tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, text=True)
    except subprocess.TimeoutExpired as e:
        return False, "timed out: " + (e.stdout or b"")[-1500:].decode("utf-8", "replace")
    return p.returncode == 0 and '{"ok":true' in p.stdout, p.stdout


def scan(tmp, libs, url, how, runs):
    """--scan: each build's echo at image + LO..HI bytes, interleaved (the same load for
    all), runs times a step -> per build the passes per step and the lowest step from which
    every run passed (its K: the fine figure)."""
    lo, hi, step = (int(x) for x in how.split(":"))
    b = []
    for i, x in enumerate(libs):
        if len(x) == 1:  # (another build: its own image)
            img = os.path.join(tmp, "also%d.romfs" % i)
            x = (x[0], img, ram.romfs(x[0], img))
        b.append(x)
    got = {}
    for k in range(lo, hi + 1, step):
        for r in range(runs):
            for lib, img, size in b:
                heap = str(k + (size + 15) // 16 * 16 + 64)  # (ram.rom_heap in bytes)
                ok = run(tmp, img, size, heap, "ws_echo", [url, "0"])[0]
                got.setdefault(lib, {}).setdefault(k, []).append(ok)
    for lib, img, size in b:
        row = got[lib]
        first = None
        for k in sorted(row, reverse=True):
            if not all(row[k]):
                break
            first = k
        print("%s (image %d B): all %d runs pass from image + %s" % (
            lib, size, runs, "%.2fK" % (first / 1024) if first is not None else "-"))
        print("   " + " ".join("%.2fK:%d/%d" % (k / 1024, sum(v), len(v))
                                for k, v in sorted(row.items())))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--phases", action="store_true")
    ap.add_argument("--no-search", action="store_true")
    ap.add_argument("--at", type=int, help="one run at image + this many K, its output")
    ap.add_argument("--walk", action="store_true", help="heap and interned names module by "
                    "module in the echo's load order, then the heap at open by kind")
    ap.add_argument("--names", action="store_true", help="with --walk: the names each step "
                    "interns (past 300 in all MicroPython allocates a 3.8 KB name pool)")
    ap.add_argument("--scan", metavar="LO:HI:STEP", help="a fine scan of the echo row: "
                    "image + LO..HI bytes in STEP steps (e.g. 31744:37888:128), --runs each, "
                    "each --also build alongside (interleaved); prints passes per step")
    ap.add_argument("--runs", type=int, default=2, help="with --scan: runs per step")
    ap.add_argument("--also", action="append", default=[], metavar="DIR",
                    help="with --scan: another build's lib dir, scanned in the same runs")
    a = ap.parse_args()
    echo = ws_run.Echo()
    url = "ws://127.0.0.1:%d/" % echo.port
    res = {}
    try:
        with tempfile.TemporaryDirectory(prefix="ws-ram-") as tmp:
            bench.mpy_cross(os.path.join(HERE, "mp_rom.py"), os.path.join(tmp, "mp_rom.mpy"))
            for name, src in (("ws_echo", ECHO), ("ws_imp", IMPORT),
                              ("ws_walk", WALK.replace("MODS", repr(WALK_MODS)))):
                with open(os.path.join(tmp, name + ".py"), "w") as f:
                    f.write(src)
                bench.mpy_cross(os.path.join(tmp, name + ".py"), os.path.join(tmp, name + ".mpy"))
                os.unlink(os.path.join(tmp, name + ".py"))
            img = os.path.join(tmp, "netstack.romfs")
            size = ram.romfs(a.lib, img)
            res["image"] = size
            ok, out = run(tmp, img, size, "1m", "ws_imp", [])
            res["import"] = json.loads(out.strip().splitlines()[-1])["alloc"] if ok else out[-300:]
            if a.phases:
                ok, out = run(tmp, img, size, ram.rom_heap(200, size), "ws_echo", [url, "1"])
                print(out)
            if a.walk:
                ok, out = run(tmp, img, size, ram.rom_heap(200, size), "ws_walk", [url])
                walk_report(out, size, a.names) if ok else print(out)
            if a.at:
                print(run(tmp, img, size, ram.rom_heap(a.at, size), "ws_echo", [url, "0"])[1])
            if a.scan:
                scan(tmp, [(a.lib, img, size)] + [(d, ) for d in a.also], url, a.scan, a.runs)
            if not a.no_search and not a.at and not a.scan:
                mp = bench.MP([tmp], tmp)
                out = bench.search_k(mp, lambda k: run(tmp, img, size, ram.rom_heap(k, size),
                                                       "ws_echo", [url, "0"])[:1] + ({}, 0),
                                     16, 160)
                res["echo_k"] = out.get("result_k")
                if out.get("error"):
                    res["echo_error"] = out["error"]
    finally:
        echo.close()
    print(json.dumps(res))


if __name__ == "__main__":
    main()
