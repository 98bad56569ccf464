# Host tests run lib/ on CPython through the shim in ports/cpython.
import os
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
for p in (os.path.join(ROOT, "ports", "cpython"), os.path.join(ROOT, "lib")):
    if p not in sys.path:
        sys.path.insert(0, p)


@pytest.fixture(scope="session")
def peers():
    """The test peers (tests/peers: httpbin, hostile, proxy, TLS ...), started once per
    pytest session and shared by every module: -> (their work dir, cfg)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "peers"))
    from peers import Peers
    with tempfile.TemporaryDirectory() as d, Peers(d) as p:
        yield d, p.cfg
