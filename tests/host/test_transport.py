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
    # transport's stages are numbers compiled in (const) where they are used: every copy
    # must match the table in transport/__init__.py
    import re
    from netstack import transport, _sock_tls, _clientx, _tls, _ws_server
    from netstack.transport import tcp, udp, listen, tls, tunnel
    src = open(transport.__file__).read()
    want = {"_" + k: int(v) for v, k in re.findall(r"^#   (\d) ([A-Z_]+) ", src, re.M)}
    assert sorted(want.values()) == list(range(7)), want
    seen = 0
    for m in (transport, _sock_tls, _clientx, _tls, _ws_server, tcp, udp, listen, tls, tunnel):
        for k, v in want.items():
            if hasattr(m, k):
                assert getattr(m, k) == v, (m.__name__, k, getattr(m, k), v)
                seen += 1
    assert seen >= 19, seen