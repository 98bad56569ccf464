#!/usr/bin/env python3
"""The largest response body http.request() delivers whole, per framing and heap size, on the
MicroPython unix port with the library from .mpy (build/lib, bytecode in the heap) and from a
ROMFS image (bytecode out of the heap, as tools/devtest.py --code romfs), against the hostile
peer.

    python tools/bodymax.py [--heaps 110k,192k] [--lib build/lib]

Each probe is a fresh process: import netstack.http, one warm-up GET, then one GET of n
bytes as ARRAY_BUFFER (one bytearray; a str result needs the bytes and the str at once).
Bisection to 1 KiB between 1 KiB and 256 KiB. The figures go into docs/http.md.
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
r = netstack.run(req.request(H + %r, {"expectDataType": http.HttpDataType.ARRAY_BUFFER}))
assert r.responseCode == 200 and len(r.result) == %d
print("FITS")
"""

FRAMINGS = (("Content-Length", "/big?n=%d"), ("chunked", "/bigchunked?n=%d&chunk=4096"),
            ("close-delimited", "/big?n=%d&close=1"))


def fits(heap, lib, host, path, n, work, rom):
    script = os.path.join(work, "probe.py")
    with open(script, "w") as f:
        if rom:
            from devtest import romfs_prelude
            from vboard import romfs_heapsize
            f.write(romfs_prelude(rom[0], rom[1]))
            heap = romfs_heapsize(heap, rom[1])
        f.write(PROBE % (host, path % n, n))
    env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
    p = subprocess.run([os.path.join(ROOT, ".venv", "bin", "micropython"), "-X",
                        "heapsize=" + heap, script], env=env, capture_output=True, text=True,
                       timeout=60)
    return "FITS" in p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heaps", default="110k,192k")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    args = ap.parse_args()
    from peerproc import running_peers  # the peers as their own program
    with tempfile.TemporaryDirectory(prefix="bodymax-") as work, running_peers(work) as cfg:
        host = cfg["hostile"]
        from devtest import build_romfs
        image = os.path.join(work, "netstack.romfs")
        rom = (image, build_romfs(os.path.abspath(args.lib), image))
        cols = [(h, c) for h in args.heaps.split(",") for c in ("mpy", "romfs")]
        print("| framing | " + " | ".join("%s %s" % c for c in cols) + " |")
        print("|---|" + "---|" * len(cols))
        for name, path in FRAMINGS:
            row = []
            for heap, code in cols:
                lo, hi = 0, 256  # KiB: lo fits (0: nothing tried yet), hi does not
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if fits(heap, os.path.abspath(args.lib), host, path, mid * 1024, work,
                            rom if code == "romfs" else None):
                        lo = mid
                    else:
                        hi = mid
                row.append("%d KiB" % lo)
            print("| %s | %s |" % (name, " | ".join(row)), flush=True)


if __name__ == "__main__":
    main()
