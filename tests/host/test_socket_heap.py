# netstack.socket at the smallest heap with the library as .mpy files loaded into
# it (build/lib): a program using a TCP client, a UDP socket and a TLS client together at
# 110k (tests/device/test_socket_mix.py, run by tools/devtest.py with the peers). The
# device rows of `make test` run 192k from .mpy and 110k from ROMFS; this is the one
# script that must also fit 110k from .mpy.
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB = os.path.join(ROOT, "build", "lib")

pytestmark = pytest.mark.skipif(not os.path.isdir(LIB), reason="needs build/lib (make mpy)")


def test_tcp_udp_and_tls_client_together_at_110k_from_mpy():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "devtest.py"), "--mode", "unix",
                        "--heapsize", "110k", "--code", "mpy", "--lib", LIB, "--peers", "-v",
                        "-k", "test_socket_mix"], capture_output=True, text=True, timeout=300)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "1 passed" in out, out
    assert "all three open" in out and "documented limit" not in out, out
