# One case per tests/device script, run on the labgrid place's board (conftest.py).
import pytest


def test_run_completed(suite):
    # deploy, WiFi and the runner itself worked, and every skip was an expected one
    assert suite["summary"], "the device run ended without a summary:\n" + suite["output"][-3000:]
    assert suite["rc"] == 0 or " failed, " in suite["summary"], suite["output"][-3000:]
    assert "NOT in expected_skips.txt" not in suite["summary"], suite["summary"]


def test_device_script(suite, script):
    got = suite["verdicts"].get(script)
    assert got is not None, "%s did not run:\n%s" % (script, suite["output"][-2000:])
    verdict, reason, lines = got
    if verdict == "SKIP":
        pytest.skip(reason)
    assert verdict == "PASS", "%s: %s\n%s" % (script, reason, "\n".join(lines))
