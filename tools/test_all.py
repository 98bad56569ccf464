#!/usr/bin/env python3
"""`make test`: host tests on CPython, then the device tests on MicroPython in each row of
ROWS: the unix port at a board's heap cap, and the same through mpremote on the virtual
board; 192k loads the library from .mpy (in the heap), 110k from a ROMFS image (bytecode out
of the heap, as on a board with the code in flash).

Prints one summary line per row: its counts and every skip with its reason. A row fails if a
test fails or a test skips without an entry in tests/device/expected_skips.txt (the host row
checks pytest's skips against the same list, rows 'host'). Exit status 0 iff every row is ok.
ROWS can be narrowed with the environment: ROWS="unix:192k:mpy vboard:110k:romfs".
Row 'board:192k:mpy' is `make test-board` on a virtual board (tools/test_board.py): deploy
of the .mpy files through mpremote, the WiFi step, and the peers on an address of a network
namespace made for the run, not 127.0.0.1. Row 'labgrid:192k:romfs' runs the suite through
labgrid (tools/labgrid_vboard.py: coordinator and exporter on 127.0.0.1 exporting a virtual
board's serial port over TCP, pytest tests/labgrid, JUnit XML in build/labgrid-junit.xml).
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.path.join(ROOT, ".venv", "bin", "python")
sys.path.insert(0, os.path.join(ROOT, "tools"))
from devtest import load_expected, skip_expected   # noqa: E402

DEFAULT_ROWS = ("unix:192k:mpy unix:110k:romfs vboard:192k:mpy vboard:110k:romfs "
                "board:192k:mpy labgrid:192k:romfs")
ROWS = os.environ.get("ROWS", DEFAULT_ROWS).split()


def command(mode, heap, code):
    if mode == "board":     # make test-board PORT=vboard
        return [PY, "tools/test_board.py", "--vboard", "--netns", "--heapsize", heap,
                "--mode", code]
    if mode == "labgrid":   # the suite through a labgrid place (coordinator + exporter here)
        return [PY, "tools/labgrid_vboard.py", "--netns", "--heapsize", heap, "--mode", code,
                "--junit", "build/labgrid-junit.xml"]
    return [PY, "tools/devtest.py", "--mode", mode, "--heapsize", heap, "--code", code, "--peers"]


def run(label, cmd):
    t = time.time()
    print("\n=== %s: %s" % (label, " ".join(cmd)), flush=True)
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(p.stdout)
    return p.returncode, p.stdout, time.time() - t


def host():
    rc, out, secs = run("host", [PY, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                                 "tests/host", "tests/peers"])
    lines = [l for l in out.splitlines() if l.strip()]
    counts = next((l for l in reversed(lines) if re.search(r"\d+ (passed|failed)", l)),
                  "(no pytest summary)").strip("= ")
    # -rs: "SKIPPED [1] tests/peers/test_peers.py:654: no .venv/bin/micropython"
    expected, skips = load_expected(), []
    for l in lines:
        m = re.match(r"SKIPPED \[(\d+)\] ([^:]+):\d+: (.*)", l)
        if m:
            ok = skip_expected(expected, os.path.basename(m.group(2)), "host", m.group(3))
            skips.append("%s x%s: %s [%s]" % (m.group(2), m.group(1), m.group(3),
                                             "expected" if ok else "NOT in expected_skips.txt"))
            rc = rc or (0 if ok else 1)
    return "host", rc, counts + (" (%s)" % "; ".join(skips) if skips else ""), secs


def main():
    results = [host()]
    for row in ROWS:
        mode, heap, code = row.split(":")
        rc, out, secs = run("device %s %s %s" % (mode, heap, code), command(mode, heap, code))
        tail = [l for l in out.splitlines() if l.startswith("device[")]
        via = [l[len("test-board: "):] for l in out.splitlines()
               if l.startswith("test-board: peers listen on")]
        results.append(("%s %s %s" % (mode, heap, code), rc,
                        (tail[-1] if tail else "(no summary: devtest crashed)") +
                        ("; " + via[-1] if via else ""), secs))
    print("\n=== summary")
    ok = True
    for label, rc, summary, secs in results:
        print("%-20s %-4s %s (%.0fs)" % (label, "ok" if rc == 0 else "FAIL", summary, secs))
        ok = ok and rc == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
