"""The test peers (tests/peers/peers.py) as a child process, for tools that need them
(devtest --peers, make demo). Tools run the peers program rather than importing from
tests/: `with running_peers(workdir) as cfg:` starts it, reads the cfg it prints (one JSON
line), and stops it (SIGTERM to that child, by its handle) when the block ends."""
import contextlib
import json
import os
import select
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START_TIMEOUT = 120  # seconds: gunicorn workers and certificates on a loaded machine


@contextlib.contextmanager
def running_peers(workdir):
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "peers", "peers.py"),
                          "--workdir", workdir], stdout=subprocess.PIPE)
    try:
        ready, _, _ = select.select([p.stdout], [], [], START_TIMEOUT)
        line = p.stdout.readline() if ready else b""
        if not line:
            raise RuntimeError("tests/peers/peers.py did not start (exit %s)" % p.poll())
        yield json.loads(line)
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        p.stdout.close()
