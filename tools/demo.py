#!/usr/bin/env python3
"""`make demo`: start the local peers, run tools/demo/tour.py on the MicroPython unix port."""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from peerproc import running_peers  # noqa: E402


def main():
    with tempfile.TemporaryDirectory() as d, running_peers(d) as cfg:
        src = "CFG = %r\n" % cfg + open(os.path.join(ROOT, "tools", "demo", "tour.py")).read()
        script = os.path.join(d, "tour.py")
        with open(script, "w") as f:
            f.write(src)
        env = dict(os.environ, MICROPYPATH=".frozen:" + os.path.join(ROOT, "build", "lib"))
        print("running the tour on MicroPython (unix port, -X heapsize=192k)\n", flush=True)
        rc = subprocess.call([os.path.join(ROOT, ".venv", "bin", "micropython"), "-X", "heapsize=192k", script], env=env)
    sys.exit(rc)


if __name__ == "__main__":
    main()
