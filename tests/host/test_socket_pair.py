# Two MicroPython processes talk TCP, UDP, multicast and TLS to each other through
# netstack.socket (MicroPython's own multi-instance test pattern: one script, two roles),
# in a network namespace of their own (only loopback; fixed ports are free there).
import os
import subprocess

import pytest
import trustme

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MP = os.path.join(ROOT, ".venv", "bin", "micropython")
SCRIPT = os.path.join(ROOT, "tests", "host", "socket_pair.py")
NETNS = ["unshare", "-rn", "sh", "-c"]


def netns_ok():
    try:
        return subprocess.run(NETNS + ["ip link set lo up"], capture_output=True,
                              timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_two_micropython_instances(tmp_path):
    if not netns_ok():
        pytest.skip("this machine cannot make a network namespace")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    (tmp_path / "ca.pem").write_bytes(ca.cert_pem.bytes())
    (tmp_path / "cert.pem").write_bytes(cert.cert_chain_pems[0].bytes())
    (tmp_path / "key.pem").write_bytes(cert.private_key_pem.bytes())
    env = dict(os.environ, MICROPYPATH=".frozen:" + os.path.join(ROOT, "lib"))
    sh = ('ip link set lo up && ip route add 224.0.0.0/4 dev lo && '
          '("$0" -X heapsize=512k "$1" a "$2" > "$2/a.out" 2>&1 &) && '
          '"$0" -X heapsize=512k "$1" b "$2"; sleep 0.5; cat "$2/a.out"')
    p = subprocess.run(NETNS + [sh, MP, SCRIPT, str(tmp_path)], env=env, capture_output=True,
                       text=True, timeout=90)
    out = p.stdout + p.stderr
    assert "b done" in out and "a done" in out, out
    assert "Traceback" not in out, out
