# `make test-board` on the virtual board, the way a board runs it: deploy first, WiFi step,
# then the device suite with the peers on an address of a network namespace made for the run
# (not 127.0.0.1: on a board that is the board itself), so the host-address plumbing is proven.
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import test_board  # noqa: E402


def netns_ok():
    try:
        return subprocess.run(test_board.netns_argv(["true"]), capture_output=True,
                              timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_make_test_board_on_the_virtual_board_through_a_namespace_address():
    if not netns_ok():
        pytest.skip("this machine cannot make a network namespace (unshare -rn, ip)")
    p = subprocess.run(["make", "-s", "test-board", "PORT=vboard"], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    out = p.stdout + p.stderr
    print(out)
    assert p.returncode == 0, out
    assert "test-board: deploy" in out and "imported netstack.http + fetch from /lib/" in out
    assert "no WiFi on this board" in out
    assert "peers listen on %s" % test_board.NETNS_HOST in out
    m = re.search(r"device\[board \S+\]: (\d+) passed, (\d+) failed, (\d+) skipped", out)
    assert m and int(m.group(1)) >= 10 and m.group(2) == "0", out
    # the one skip: test_ipv6 makes a namespace of its own, unix mode only
    assert re.findall(r"^SKIP (\S+)", out, re.M) == ["test_ipv6.py"], out


def test_route_to_names_an_address_of_this_machine():
    assert test_board.route_to("127.0.0.1") == "127.0.0.1"
