#!/usr/bin/env python3
"""Autobahn|Testsuite (PyPI kosoku) against netstack's WebSocket client or server.

    python tests/autobahn/run.py client|server [--heapsize 192k] [--code mpy|romfs]
         [-i '1.*' ...] [-x '9.*' ...] [--runtime micropython|cpython] [--out DIR]
         [--max-message BYTES]

client: starts `kosoku -m fuzzingserver` on a free 127.0.0.1 port and runs client_driver.py
(which echoes every case). server: runs server_driver.py (an echo server) and
`kosoku -m fuzzingclient` against it; the server must still be alive at the end.
Both run on the MicroPython unix port with build/lib unless --runtime cpython: its .mpy
files loaded into the heap, or (--code romfs) a ROMFS image of it mounted as a board with a
ROMFS partition runs it (tools/devtest.py's way: the heap cap is raised by the image's size,
so the program still gets --heapsize, and the bytecode stays out of it). Prints one
line per case group with the counts per behavior; exits 1 unless every selected case is
OK, NON-STRICT or INFORMATIONAL."""
import argparse
import glob
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.join(ROOT, ".venv", "bin")
sys.path.insert(0, os.path.join(ROOT, "tools"))
from devtest import build_romfs, romfs_prelude  # noqa: E402
from vboard import romfs_heapsize  # noqa: E402
GOOD = ("OK", "NON-STRICT", "INFORMATIONAL")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, proc, secs=20):
    t = time.time() + secs
    while time.time() < t:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def summarize(outdir, agent):
    """-> {group: {behavior: count}}, [failing case ids]"""
    groups, bad = {}, []
    for f in glob.glob(os.path.join(outdir, (agent or "*") + "_case_*.json")):
        with open(f) as fh:
            d = json.load(fh)
        cid = d["id"]
        g = cid.split(".")[0]
        b = d["behavior"]
        bc = d.get("behaviorClose", "OK")
        verdict = b if b != "OK" else (bc if bc not in ("OK", "INFORMATIONAL") else "OK")
        if b in GOOD and bc in GOOD:
            verdict = b
        else:
            verdict = "FAILED"
            bad.append("%s (%s/%s: %s)" % (cid, b, bc, d.get("result", "")[:80]))
        groups.setdefault(g, {}).setdefault(verdict, 0)
        groups[g][verdict] += 1
    return groups, bad


def run_client(args, outdir):
    port = free_port()
    cmd = [os.path.join(BIN, "kosoku"), "-m", "fuzzingserver", "-o", outdir]
    for i in args.include:
        cmd += ["-i", i]
    for x in args.exclude:
        cmd += ["-x", x]
    cmd.append("127.0.0.1:%d" % port)
    log = open(os.path.join(outdir, "kosoku.log"), "w")
    k = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=outdir)
    try:
        if not wait_port(port, k):
            sys.exit("autobahn: kosoku fuzzingserver did not start (see %s)" % log.name)
        c, env = _runtime(args, "client_driver.py", outdir)
        t = time.time()
        extra = [str(args.max_message)] if args.max_message else []
        p = subprocess.run(c + ["127.0.0.1:%d" % port, args.agent] + extra, env=env, timeout=args.timeout,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        secs = time.time() - t
        with open(os.path.join(outdir, "client.log"), "w") as f:
            f.write(p.stdout)
        if p.returncode:
            print(p.stdout[-3000:])
            print("autobahn: the client driver exited with %d" % p.returncode)
        # the reports are written on updateReports; give kosoku a moment
        for _ in range(50):
            if glob.glob(os.path.join(outdir, "index.json")) or k.poll() is not None:
                break
            time.sleep(0.1)
        return p.returncode, secs
    finally:
        k.terminate()
        try:
            k.wait(10)
        except subprocess.TimeoutExpired:
            k.kill()
        log.close()


def _runtime(args, script, outdir):
    """-> (command, env) that runs a driver script"""
    path = os.path.join(HERE, script)
    if args.runtime == "cpython":
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [os.path.join(ROOT, "ports", "cpython"), os.path.join(ROOT, "lib")]))
        return [os.path.join(BIN, "python"), path], env
    heap = args.heapsize
    lib = ":" + os.path.abspath(args.lib)
    if args.code == "romfs":
        image = os.path.join(outdir, "netstack.romfs")
        size = build_romfs(os.path.abspath(args.lib), image)
        heap, lib = romfs_heapsize(heap, size), ""
        # the driver after the line that mounts the image, as the first thing the program does
        with open(path) as f:
            src = f.read()
        path = os.path.join(outdir, script)
        with open(path, "w") as f:
            f.write(romfs_prelude(image, size) + src)
    env = dict(os.environ, MICROPYPATH=".frozen" + lib)
    return [os.path.join(BIN, "micropython"), "-X", "heapsize=" + heap, path], env


def run_server(args, outdir):
    port = free_port()
    cmd, env = _runtime(args, "server_driver.py", outdir)
    log = open(os.path.join(outdir, "server.log"), "w")
    extra = [str(args.max_message)] if args.max_message else []
    srv = subprocess.Popen(cmd + [str(port)] + extra, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_port(port, srv):
            sys.exit("autobahn: the server under test did not start (see %s)" % log.name)
        k = [os.path.join(BIN, "kosoku"), "-m", "fuzzingclient", "-o", outdir]
        for i in args.include:
            k += ["-i", i]
        for x in args.exclude:
            k += ["-x", x]
        t = time.time()
        p = subprocess.run(k + ["127.0.0.1:%d" % port], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=args.timeout, cwd=outdir)
        secs = time.time() - t
        alive = srv.poll() is None
        if not alive:
            print("autobahn: the server process died (exit %s); see %s" % (srv.returncode, log.name))
        return (0 if alive else 1), secs
    finally:
        if srv.poll() is None:
            srv.terminate()
            try:
                srv.wait(10)
            except subprocess.TimeoutExpired:
                srv.kill()
        log.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("side", choices=("client", "server"))
    ap.add_argument("--heapsize", default="192k")
    ap.add_argument("--code", choices=("mpy", "romfs"), default="mpy",
                    help="the library's bytecode: .mpy files in the heap, or a ROMFS image")
    ap.add_argument("--runtime", choices=("micropython", "cpython"), default="micropython")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("-i", dest="include", action="append", default=[])
    ap.add_argument("-x", dest="exclude", action="append", default=[])
    ap.add_argument("--agent", default="netstack")
    ap.add_argument("--out", default=None)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--max-message", type=int, default=0,
                    help="largest message (bytes) the driver accepts and sends (group 9)")
    args = ap.parse_args()
    import tempfile
    outdir = args.out or tempfile.mkdtemp(prefix="autobahn-")
    os.makedirs(outdir, exist_ok=True)
    if args.side == "client":
        rc, secs = run_client(args, outdir)
        groups, bad = summarize(outdir, args.agent)
    else:
        rc, secs = run_server(args, outdir)
        groups, bad = summarize(outdir, None)
    total = sum(sum(v.values()) for v in groups.values())
    for g in sorted(groups, key=int):
        print("group %-3s %s" % (g, ", ".join("%s %d" % kv for kv in sorted(groups[g].items()))))
    print("autobahn %s (%s %s %s): %d cases, %d failed, %.0fs; reports in %s" % (
        args.side, args.runtime, args.heapsize, args.code, total, len(bad), secs, outdir))
    for b in bad:
        print("  FAILED " + b)
    sys.exit(0 if rc == 0 and not bad and total else 1)


if __name__ == "__main__":
    main()
