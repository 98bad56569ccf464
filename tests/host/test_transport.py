# transport/ on CPython through the shim: the same module the device runner runs on
# MicroPython (tests/device/test_transport.py), with CFG from certificates made here;
# pytest collects its test_* (coroutines, each run by netstack.run).
import importlib.util
import os
import sys
import tempfile

import netstack

_here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_here, "..", "peers"))
from peers_certs import make_pki  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "_device_test_transport", os.path.join(_here, "..", "device", "test_transport.py"))
_m = importlib.util.module_from_spec(_spec)
with tempfile.TemporaryDirectory() as _d:
    _m.CFG = make_pki(_d)[0]  # the *_der_b64 values outlive the directory
_spec.loader.exec_module(_m)


def _sync(coro_fn):
    def test():
        netstack.run(coro_fn())
    test.__name__ = coro_fn.__name__
    return test


globals().update({k: _sync(v) for k, v in vars(_m).items() if k.startswith("test_")})


def test_stage_numbers_copied_as_consts_match():
    # _sock_tls compiles in transport's stage numbers (const): they must stay in step
    from netstack import transport, _sock_tls
    assert (_sock_tls._TLS, _sock_tls._LOAD_CA, _sock_tls._LOAD_CERT) == (
        transport.TLS, transport.LOAD_CA, transport.LOAD_CERT)
