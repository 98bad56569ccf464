# The device suite on a labgrid place: the board behind the place's serial port
# (NetworkSerialPort: exported by a labgrid exporter, raw TCP or RFC 2217) gets the library
# deployed, its WiFi brought up and tests/device/*.py run through tools/test_board.py, with
# one pytest case per device script (so --junitxml lists them one by one).
#
#     labgrid-client -p my-pico-w reserve --wait && labgrid-client -p my-pico-w acquire
#     pytest tests/labgrid --lg-env tests/labgrid/env.yaml --lg-coordinator HOST:20408 \
#            [--peers-host LAN_ADDR] --junitxml=build/labgrid-junit.xml
#     labgrid-client -p my-pico-w release
# (LG_PLACE names the place for env.yaml; tools/labgrid_vboard.py does all of it on 127.0.0.1
# with a virtual board, as make test does.)
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = os.path.join(ROOT, ".venv", "bin", "python")
DEVICE = os.path.join(ROOT, "tests", "device")


def pytest_addoption(parser):
    parser.addoption("--peers-host", default=os.environ.get("NETSTACK_PEERS_HOST"),
                     help="address of this machine the board reaches the test peers at")
    parser.addoption("--deploy-mode", default="mpy", choices=("mpy", "romfs"))
    parser.addoption("--secrets", help="wifi_secrets.py for the board (deploy copies it)")
    parser.addoption("--ca", help="CA bundle for the board's DEFAULT_CA_PATH")
    parser.addoption("--device-k", default="", help="only device scripts whose name has this")


def device_scripts(select=""):
    return sorted(n for n in os.listdir(DEVICE)
                  if n.startswith("test_") and n.endswith(".py") and select in n)


def pytest_generate_tests(metafunc):
    if "script" in metafunc.fixturenames:
        metafunc.parametrize("script", device_scripts(metafunc.config.getoption("--device-k")))


def serial_url(res):
    """mpremote's name for an exported serial port."""
    if res.protocol == "raw":
        return "socket://%s:%d" % (res.host, res.port)
    return "rfc2217://%s:%d?ign_set_control" % (res.host, res.port)


@pytest.fixture(scope="session")
def board_url(target):
    from labgrid.resource import NetworkSerialPort
    import time
    t = time.monotonic()
    url = serial_url(target.get_resource(NetworkSerialPort))
    sys.stderr.write("labgrid: board at %s (%.1f s)\n" % (url, time.monotonic() - t))
    return url


@pytest.fixture(scope="session")
def suite(board_url, pytestconfig):
    """Runs make test-board's path once on the place's board -> {script: (verdict, reason)}."""
    cmd = [PY, os.path.join(ROOT, "tools", "test_board.py"), "--port", board_url,
           "--mode", pytestconfig.getoption("--deploy-mode")]
    if pytestconfig.getoption("--peers-host"):
        cmd += ["--host", pytestconfig.getoption("--peers-host")]
    for opt in ("secrets", "ca"):
        if pytestconfig.getoption("--" + opt):
            cmd += ["--" + opt, pytestconfig.getoption("--" + opt)]
    if pytestconfig.getoption("--device-k"):
        cmd += ["-k", pytestconfig.getoption("--device-k")]
    import time
    t = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stderr.write("labgrid: test_board.py ran %.1f s\n" % (time.monotonic() - t))
    sys.stdout.write(p.stdout)
    verdicts, current = {}, None
    for line in p.stdout.splitlines():
        m = re.match(r"(PASS|FAIL|SKIP) (test_\S+\.py) \([\d.]+s\)(?:: (.*))?$", line)
        if m:
            current = m.group(2)
            verdicts[current] = [m.group(1), m.group(3) or "", []]
        elif current and line.startswith("    "):
            verdicts[current][2].append(line[4:])
    summary = [l for l in p.stdout.splitlines() if l.startswith("device[")]
    return {"verdicts": verdicts, "rc": p.returncode, "output": p.stdout,
            "summary": summary[-1] if summary else None}
