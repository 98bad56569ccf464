#!/usr/bin/env python3
"""The largest response body http.request() delivers whole, per framing and heap size, on the
MicroPython unix port with the library from .mpy (build/lib, bytecode in the heap) and from a
ROMFS image (bytecode out of the heap, as tools/devtest.py --code romfs), against the hostile
peer.

    python tools/bodymax.py [--heaps 110k,192k] [--codes mpy,romfs] [--lib build/lib] [--gzip]
                            [--array-buffer-only] [--at KIB]

Each probe is a fresh process: import netstack.http, one warm-up GET, then one GET of n
bytes as ARRAY_BUFFER (one bytearray), and in the "str" rows one of n bytes of ASCII text as
STRING (the bytes and the str at once). --gzip adds a row that offers gzip and gets its body
compressed (?text=1's pattern, which compresses ~1000:1: the decoded buffer grows from
small, the most growth steps). Bisection to 1 KiB between 1 KiB and 256 KiB. The
figures go into docs/http.md. --at KIB: no bisection, each cell says whether a body of KIB
KiB fits (exit status 1 when one does not: tests/host/test_bodymax_heap.py).
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

PROBE = """
import netstack
from netstack import http
H = %r
req = http.createHttp()
netstack.run(req.request(H + "/ok"))
r = netstack.run(req.request(H + %r, {"expectDataType": %s%s}))
assert r.responseCode == 200 and len(r.result) == %d and type(r.result) is %s
print("FITS")
"""

FRAMINGS = (("Content-Length", "/big?n=%d"), ("chunked", "/bigchunked?n=%d&chunk=4096"),
            ("close-delimited", "/big?n=%d&close=1"))
GZIP = (("gzip (Content-Length, decoded)", "/gzip?n=%d"),)
RESULTS = (("", "", "http.HttpDataType.ARRAY_BUFFER", "bytearray"),  # (row suffix, query, type)
           (", str", "&text=1", "http.HttpDataType.STRING", "str"))


def fits(heap, lib, host, path, n, work, rom, res):
    script = os.path.join(work, "probe.py")
    with open(script, "w") as f:
        if rom:
            from devtest import romfs_prelude
            from vboard import romfs_heapsize
            f.write(romfs_prelude(rom[0], rom[1]))
            heap = romfs_heapsize(heap, rom[1])
        gz = ', "header": {"Accept-Encoding": "gzip"}' if path.startswith("/gzip") else ""
        f.write(PROBE % (host, path % n + res[1], res[2], gz, n, res[3]))
    env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
    p = subprocess.run([os.path.join(ROOT, ".venv", "bin", "micropython"), "-X",
                        "heapsize=" + heap, script], env=env, capture_output=True, text=True,
                       timeout=60)
    return "FITS" in p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heaps", default="110k,192k")
    ap.add_argument("--codes", default="mpy,romfs")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--array-buffer-only", action="store_true", help="no str rows")
    ap.add_argument("--gzip", action="store_true", help="a row for a gzip body (decoded)")
    ap.add_argument("--at", type=int, help="KiB: does a body this big fit (no bisection)")
    args = ap.parse_args()
    short = False
    from peerproc import running_peers  # the peers as their own program
    with tempfile.TemporaryDirectory(prefix="bodymax-") as work, running_peers(work) as cfg:
        host = cfg["hostile"]
        from devtest import build_romfs
        image = os.path.join(work, "netstack.romfs")
        rom = (image, build_romfs(os.path.abspath(args.lib), image))
        cols = [(h, c) for h in args.heaps.split(",") for c in args.codes.split(",")]
        print("| framing | " + " | ".join("%s %s" % c for c in cols) + " |")
        print("|---|" + "---|" * len(cols))
        for res in RESULTS[:1] if args.array_buffer_only else RESULTS:
            for name, path in FRAMINGS + (GZIP if args.gzip else ()):
                row = []
                for heap, code in cols:
                    if args.at:
                        ok = fits(heap, os.path.abspath(args.lib), host, path, args.at * 1024,
                                  work, rom if code == "romfs" else None, res)
                        short = short or not ok
                        row.append("%d KiB %s" % (args.at, "fits" if ok else "DOES NOT FIT"))
                        continue
                    lo, hi = 0, 256  # KiB: lo fits (0: nothing tried yet), hi does not
                    while hi - lo > 1:
                        mid = (lo + hi) // 2
                        if fits(heap, os.path.abspath(args.lib), host, path, mid * 1024, work,
                                rom if code == "romfs" else None, res):
                            lo = mid
                        else:
                            hi = mid
                    row.append("%d KiB" % lo)
                print("| %s%s | %s |" % (name, res[0], " | ".join(row)), flush=True)
    sys.exit(1 if short else 0)


if __name__ == "__main__":
    main()
