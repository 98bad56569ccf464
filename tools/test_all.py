#!/usr/bin/env python3
"""`make test`: host tests on CPython, device tests on the MicroPython unix port at each
board heap cap, then the same device tests through mpremote on the virtual board.
Prints one summary line per runtime and fails if any part fails."""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.path.join(ROOT, ".venv", "bin", "python")
HEAPS = os.environ.get("HEAPS", "192k 110k").split()


def run(label, cmd):
    t = time.time()
    print("\n=== %s: %s" % (label, " ".join(cmd)), flush=True)
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(p.stdout)
    tail = [l for l in p.stdout.splitlines() if l.strip()]
    summary = tail[-1] if tail else "(no output)"
    if label == "host":  # pytest's last line: "N passed, M skipped in Xs"
        summary = next((l for l in reversed(tail) if re.search(r"\d+ (passed|failed)", l)), summary)
    return label, p.returncode, summary.strip("= "), time.time() - t


def main():
    results = [run("host", [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/host", "tests/peers"])]
    for h in HEAPS:
        results.append(run("device unix %s" % h, [PY, "tools/devtest.py", "--mode", "unix", "--heapsize", h, "--peers"]))
    for h in HEAPS:
        results.append(run("device vboard %s" % h, [PY, "tools/devtest.py", "--mode", "vboard", "--heapsize", h, "--peers"]))
    print("\n=== summary")
    ok = True
    for label, rc, summary, secs in results:
        print("%-22s %-4s %s (%.0fs)" % (label, "ok" if rc == 0 else "FAIL", summary, secs))
        ok = ok and rc == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
