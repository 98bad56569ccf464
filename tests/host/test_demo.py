# README's first command, `make demo`, keeps working: tools/demo.py runs every tour on the
# MicroPython unix port against its own local peers, and each section gets to its end.
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECTIONS = ("== @system.fetch", "== requestInStream: 5 MB with progress", "dataEnd",
            "== TCPSocketServer with two clients", "== TLSSocket, verified against the local CA",
            "wrong CA:", "== the WebSocket server on the board, serving two clients")


def test_make_demo_runs_every_tour():
    if not os.path.isdir(os.path.join(ROOT, "build", "lib", "netstack")):
        subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "build_mpy.py")])
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "demo.py")], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    out = p.stdout
    assert p.returncode == 0, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    for s in SECTIONS:
        assert s in out, (s, out[-3000:])
    assert out.count("heap free at the end:") == 3, out[-3000:]
