# The WebSocket server tests on CPython: the module tools/devtest.py runs on MicroPython
# (tests/device/test_ws_server.py), its test_* functions collected here.
import importlib.util
import os

_p = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "device",
                  "test_ws_server.py")
_spec = importlib.util.spec_from_file_location("_device_test_ws_server", _p)
_m = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_m)
globals().update({k: v for k, v in vars(_m).items() if k.startswith("test_")})
