# proto.wshs's plain client handshake against http1's, on CPython: the same module the
# device runner runs on MicroPython (tests/device/test_proto_wshs.py); pytest collects its
# test_* functions here.
import importlib.util
import os

_p = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "device",
                  "test_proto_wshs.py")
_spec = importlib.util.spec_from_file_location("_device_test_proto_wshs", _p)
_m = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_m)
globals().update({k: v for k, v in vars(_m).items() if k.startswith("test_")})
