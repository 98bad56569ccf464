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
loaded (what the echo carries)."""
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
import asyncio
mark("asyncio")
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--phases", action="store_true")
    ap.add_argument("--no-search", action="store_true")
    ap.add_argument("--at", type=int, help="one run at image + this many K, its output")
    a = ap.parse_args()
    echo = ws_run.Echo()
    url = "ws://127.0.0.1:%d/" % echo.port
    res = {}
    try:
        with tempfile.TemporaryDirectory(prefix="ws-ram-") as tmp:
            bench.mpy_cross(os.path.join(HERE, "mp_rom.py"), os.path.join(tmp, "mp_rom.mpy"))
            for name, src in (("ws_echo", ECHO), ("ws_imp", IMPORT)):
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
            if a.at:
                print(run(tmp, img, size, ram.rom_heap(a.at, size), "ws_echo", [url, "0"])[1])
            if not a.no_search and not a.at:
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
