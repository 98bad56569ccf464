# The WebSocket client tests on CPython: the module tools/devtest.py runs on MicroPython
# (tests/device/test_ws_client.py), its test_* functions collected here, with the peers.
import importlib.util
import os
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "peers"))
from peers import Peers  # noqa: E402

_p = os.path.join(os.path.dirname(HERE), "device", "test_ws_client.py")
_spec = importlib.util.spec_from_file_location("_device_test_ws_client", _p)
_m = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_m)


@pytest.fixture(scope="module", autouse=True)
def cfg():
    with tempfile.TemporaryDirectory() as d, Peers(d) as p:
        old = os.getcwd()
        os.chdir(d)  # test_wss writes its CA file into the working directory
        _m.CFG = p.cfg
        try:
            yield p.cfg
        finally:
            os.chdir(old)


globals().update({k: v for k, v in vars(_m).items() if k.startswith("test_")})
