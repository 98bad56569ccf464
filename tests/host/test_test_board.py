# `make test-board` on the virtual board, the way a board runs it: deploy first, WiFi step,
# then the device suite with the peers on an address of a network namespace made for the run
# (not 127.0.0.1: on a board that is the board itself), so the host-address plumbing is proven.
import os
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


def test_make_test_board_vboard_is_a_row_of_make_test():
    # the run itself is a row of tools/test_all.py (board:192k:mpy): deploy of the .mpy files,
    # WiFi step, the suite with the peers on NETNS_HOST; here: that the row is there and how
    # it is run
    import test_all
    assert "board:192k:mpy" in test_all.DEFAULT_ROWS.split()
    assert "labgrid:192k:romfs" in test_all.DEFAULT_ROWS.split()
    assert test_all.command("board", "192k", "mpy") == [
        test_all.PY, "tools/test_board.py", "--vboard", "--netns", "--heapsize", "192k",
        "--mode", "mpy"]


def test_netns_command_puts_the_host_address_on_the_namespace():
    argv = test_board.netns_argv(["x"])
    assert argv[:2] == ["unshare", "-rn"] and argv[-1] == "x"
    assert "ip addr add %s/32 dev lo" % test_board.NETNS_HOST in argv[4]
    if netns_ok():
        p = subprocess.run(test_board.netns_argv(["ip", "-4", "addr", "show", "lo"]),
                           capture_output=True, text=True)
        assert "inet %s/32" % test_board.NETNS_HOST in p.stdout


def test_route_to_names_an_address_of_this_machine():
    assert test_board.route_to("127.0.0.1") == "127.0.0.1"
