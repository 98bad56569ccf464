#!/usr/bin/env python3
"""`make demo`: start the local peers, run tools/demo/tour.py (fetch, http),
tools/demo/sock_tour.py (socket) and tools/demo/ws_tour.py (webSocket client and server) on
the MicroPython unix port, each in its own process; every tour runs, and the exit status is
the first failure's."""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from peerproc import running_peers  # noqa: E402


def main():
    rc = 0
    with tempfile.TemporaryDirectory() as d, running_peers(d) as cfg:
        for name in ("tour.py", "sock_tour.py", "ws_tour.py"):
            src = "CFG = %r\n" % cfg + open(os.path.join(ROOT, "tools", "demo", name)).read()
            script = os.path.join(d, name)
            with open(script, "w") as f:
                f.write(src)
            env = dict(os.environ, MICROPYPATH=".frozen:" + os.path.join(ROOT, "build", "lib"))
            print("running %s on MicroPython (unix port, -X heapsize=192k)\n" % name, flush=True)
            r = subprocess.call([os.path.join(ROOT, ".venv", "bin", "micropython"), "-X",
                                 "heapsize=192k", script], env=env)
            rc = rc or r
            print(flush=True)
    sys.exit(rc)


if __name__ == "__main__":
    main()
