#!/usr/bin/env python3
"""Copy the compiled library (tools/build_mpy.py) to a board's /lib with mpremote.

    python tools/deploy.py --port /dev/ttyACM0 [--lib build/lib] [--dest /lib]

Each package or module in --lib first replaces its old copy on the board as a whole: a stale
.py there would shadow the new .mpy, and a removed module would linger. Then each one is
imported on the board, which also catches .mpy files the firmware cannot load.
Works the same against tools/vboard.py, whose "/" is its flash dir, not the host's root.
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MPREMOTE = os.path.join(ROOT, ".venv", "bin", "mpremote")

# Runs on the board: make DEST, remove the old copies of NAMES in it.
PREPARE = """\
import os
def rm(p):
    try:
        if os.stat(p)[0] & 0x4000:
            for n in os.listdir(p):
                rm(p + '/' + n)
            os.rmdir(p)
        else:
            os.remove(p)
    except OSError:
        pass
try:
    os.mkdir(%(dest)r)
except OSError:
    pass
for n in %(names)r:
    rm(%(dest)r + '/' + n)
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", required=True, help="the board's serial port (or a vboard's)")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--dest", default="/lib", help="directory on the board")
    args = ap.parse_args()
    entries = sorted(os.listdir(args.lib)) if os.path.isdir(args.lib) else []
    if not entries:
        sys.exit("deploy: nothing in %s (build it: tools/build_mpy.py)" % args.lib)
    dest = args.dest.rstrip("/")
    modules = [e[:-4] if e.endswith(".mpy") else e for e in entries
               if e.endswith(".mpy") or os.path.isdir(os.path.join(args.lib, e))]
    cmd = [MPREMOTE, "connect", args.port,
           "exec", PREPARE % {"dest": dest, "names": entries}, "+",
           "fs", "cp", "-r"] + [os.path.join(args.lib, e) for e in entries] + [":" + dest + "/",
           "+", "exec", "import %s; print('deploy: imported %s')" % ((", ".join(modules),) * 2)]
    sys.exit(subprocess.run(cmd).returncode)


if __name__ == "__main__":
    main()
