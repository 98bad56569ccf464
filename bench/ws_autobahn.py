#!/usr/bin/env python3
"""The Autobahn rows of `make bench` (tests/autobahn/run.py, PyPI kosoku), for netstack's
WebSocket client and server on the MicroPython unix port, code as .mpy (build/lib) or in a
ROMFS image (as a board runs it: the heap cap raised by the image's size):

  group 9 (large and many messages, up to 16 MiB) at a heap that fits 16 MiB messages
          (64m, .mpy; the drivers raise the 5 MiB message and send limits to 16 MiB + 1 KiB),
  group 9 again at 192k with the default limits, one run per sub-group, .mpy and ROMFS:
          which message sizes fit there,
  groups 12 and 13 (permessage-deflate, 216 cases) at 192k, .mpy and ROMFS: which fit
          (`make test` runs the ones that do), and in full at 1m.

One kosoku run per line; prints the counts per group and the failing cases. About 20 min
on a 2-core machine; `bench/ws_autobahn.py 9` runs only the group 9 rows."""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUN = [sys.executable, os.path.join(ROOT, "tests", "autobahn", "run.py")]
BIG = (16 << 20) + 1024

# at 192k one run per sub-group: after a case that ran out of memory (1009) the next large
# one in the same process may fail where it passes alone (9.2.1 after 9.1.x)
ROWS = [("9", "64m", "mpy", ["9.*"], BIG)] + [
    ("9", "192k", code, ["9.%d.*" % i], 0) for code in ("mpy", "romfs") for i in range(1, 9)] + [
    ("12", "192k", code, ["12.*", "13.*"], 0) for code in ("mpy", "romfs")] + [
    ("12", "1m", "mpy", ["12.*", "13.*"], 0),
]


def one(side, heap, code, inc, mx):
    args = RUN + [side, "--heapsize", heap, "--code", code, "--timeout", "5400"]
    for i in inc:
        args += ["-i", i]
    if mx:
        args += ["--max-message", str(mx)]
    t = time.time()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = [l for l in p.stdout.splitlines()
             if l.startswith("group ") or l.startswith("autobahn ") or "FAILED" in l]
    return lines, time.time() - t


def main():
    only = sys.argv[1:]
    for key, heap, code, inc, mx in ROWS:
        if only and key not in only:
            continue
        for side in ("client", "server"):
            lines, secs = one(side, heap, code, inc, mx)
            print("### %s, groups %s, %s %s%s (%.0f s)" % (side, " ".join(inc), heap, code,
                  ", limits 16 MiB" if mx else "", secs))
            for l in lines:
                print("    " + l)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
