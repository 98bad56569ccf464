#!/usr/bin/env python3
"""`make vboard`: a virtual board (tools/vboard.py) on a pty, with the library deployed to
its flash by tools/deploy.py as on a real board; prints the device path and runs until
Ctrl-C. The flash persists in DIR/flash between runs (deploy then skips unchanged files).

    make vboard [HEAP=110k]
    mpremote connect build/vboard/tty repl        # in another terminal
"""
import argparse
import os
import signal
import subprocess
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from vboard import VBoard  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heapsize", default="192k")
    ap.add_argument("--dir", default=os.path.join(ROOT, "build", "vboard"))
    ap.add_argument("--no-deploy", action="store_true")
    args = ap.parse_args()
    flash = os.path.join(args.dir, "flash")
    os.makedirs(flash, exist_ok=True)
    link = os.path.join(args.dir, "tty")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with VBoard(args.heapsize, cwd=flash, link=link) as vb:
        if not args.no_deploy:
            p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "deploy.py"),
                                "--port", vb.tty])
            if p.returncode:
                sys.exit("vboard: deploy failed")
        print("vboard ready: %s (heap %s, flash %s); Ctrl-C stops it\n"
              "  mpremote connect %s repl" % (link, args.heapsize, flash, link), flush=True)
        while vb.alive() and not stop.wait(0.5):
            pass


if __name__ == "__main__":
    main()
