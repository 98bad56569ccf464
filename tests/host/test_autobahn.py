# Autobahn|Testsuite conformance of the WebSocket client and server on the MicroPython unix
# port (PyPI kosoku's fuzzingserver / fuzzingclient; tests/autobahn/run.py). Groups 1-7 and
# 10 at 192k, the 64 KiB binary cases (1.2.6-8) included; the four 64 KiB text cases (1.1.6-8
# and 10.1.1, fragmented) hold the message twice (its bytes and the str: 128 KB), more than
# 192k leaves beside the code as .mpy, and run at 512k.
# Groups 12 and 13 (permessage-deflate, 1000 messages per case; the firmware here cannot
# compress, so netstack answers with stored deflate blocks): the cases with messages up to
# 8 KiB (sizes 1-6 and 11 of each of the 12 sub-groups: 84 cases, about 80 s a side) at
# 192k; all 216 with their 16 KiB-128 KiB messages run in `make bench` (bench/ws_autobahn.py).
# Needs build/lib (make mpy).
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = [sys.executable, os.path.join(ROOT, "tests", "autobahn", "run.py")]
BIG = ["1.1.6", "1.1.7", "1.1.8", "10.1.1"]
GROUPS = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "10.*"]
DEFLATE = ["%s.%d" % (g, i) for g in ("12.1", "12.2", "12.3", "12.4", "12.5", "13.1", "13.2",
                                      "13.3", "13.4", "13.5", "13.6", "13.7")
           for i in (1, 2, 3, 4, 5, 6, 11)]

pytestmark = pytest.mark.skipif(not os.path.isdir(os.path.join(ROOT, "build", "lib")),
                                reason="needs build/lib (tools/build_mpy.py)")


def _run(heap, inc, exc=(), side="client"):
    args = RUN + [side, "--heapsize", heap, "--timeout", "500"]
    for i in inc:
        args += ["-i", i]
    for x in exc:
        args += ["-x", x]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=600)
    print(p.stdout)
    return p


def test_client_groups_1_to_7_and_10_at_192k():
    p = _run("192k", GROUPS, BIG)
    assert p.returncode == 0, p.stdout[-3000:]
    assert ": 243 cases, 0 failed" in p.stdout, p.stdout[-2000:]


def test_client_64k_text_cases_at_512k():
    p = _run("512k", BIG)
    assert p.returncode == 0, p.stdout[-3000:]
    assert ": 4 cases, 0 failed" in p.stdout, p.stdout[-2000:]


def test_server_groups_1_to_7_and_10_at_192k():
    p = _run("192k", GROUPS, BIG, "server")
    assert p.returncode == 0, p.stdout[-3000:]  # includes: the server process did not die
    assert ": 243 cases, 0 failed" in p.stdout, p.stdout[-2000:]


def test_server_64k_text_cases_at_512k():
    p = _run("512k", BIG, (), "server")
    assert p.returncode == 0, p.stdout[-3000:]
    assert ": 4 cases, 0 failed" in p.stdout, p.stdout[-2000:]


def test_client_deflate_groups_12_13_up_to_8k_at_192k():
    p = _run("192k", DEFLATE)
    assert p.returncode == 0, p.stdout[-3000:]
    assert ": 84 cases, 0 failed" in p.stdout, p.stdout[-2000:]


def test_server_deflate_groups_12_13_up_to_8k_at_192k():
    p = _run("192k", DEFLATE, (), "server")
    assert p.returncode == 0, p.stdout[-3000:]
    assert ": 84 cases, 0 failed" in p.stdout, p.stdout[-2000:]
