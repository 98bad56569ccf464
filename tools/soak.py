#!/usr/bin/env python3
"""`make soak`: tests/device/test_soak.py at the issue's length on the MicroPython unix
port, from .mpy (build/lib), against the real peers: 25,000 sequential requests per style
in one process, heap flat (within 1 KB) from request 100 on.

    python tools/soak.py [--n 25000] [--heapsize 110k] [--lib build/lib] [--timeout 3600]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=25000, help="requests per style")
    ap.add_argument("--heapsize", default="110k")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--timeout", type=float, default=3600, help="seconds, the whole run")
    args = ap.parse_args()
    from peerproc import running_peers  # the peers as their own program
    with tempfile.TemporaryDirectory(prefix="soak-") as work:
        with running_peers(work) as pcfg:
            cfg = {"hostile": pcfg["hostile"], "soak_n": args.n}
            script = os.path.join(work, "soak.py")
            with open(os.path.join(ROOT, "tests", "device", "test_soak.py")) as f:
                text = f.read()
            with open(script, "w") as f:
                f.write("CFG = %r\n" % json.loads(json.dumps(cfg)) + text)
            env = dict(os.environ, MICROPYPATH=".frozen:" + os.path.abspath(args.lib))
            cmd = [os.path.join(ROOT, ".venv", "bin", "micropython"), "-X",
                   "heapsize=" + args.heapsize, script]
            print("soak: %d requests per style, heap %s, library %s" % (
                args.n, args.heapsize, args.lib), flush=True)
            t = time.time()
            last = ""
            proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            for line in proc.stdout:  # the figures as each style ends
                sys.stdout.write(line)
                sys.stdout.flush()
                if line.strip():
                    last = line.strip()
                if time.time() - t > args.timeout:
                    proc.kill()
                    sys.exit("soak: FAIL, not done within %gs" % args.timeout)
            ok = proc.wait() == 0 and last == "OK"
            print("soak: %s in %.0f s" % ("ok" if ok else "FAIL", time.time() - t))
            sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
