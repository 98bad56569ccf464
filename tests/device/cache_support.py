# Shared by tests/device/test_cache*.py (tools/devtest.py inlines it where a script says
# `# include: cache_support`): httpbin through the test proxy, whose "forwarded" counter
# proves that a response answered from the cache (it carries an Age header) made no request.
import gc
CFG = {"httpbin": CFG["httpbin"], "proxy": CFG["proxy"]}
gc.collect()
import netstack
from netstack import http, _port

B = CFG["httpbin"]
PX = {"host": CFG["proxy"].rsplit(":", 1)[0], "port": int(CFG["proxy"].rsplit(":", 1)[1])}


def get(path, opts=None, hit=False, req=None):
    """The response; hit: whether it must come from the cache."""
    gc.collect()  # at 110k the heap is tight: keep room in one piece for the 4 KB buffer
    o = {"usingProxy": PX}
    o.update(opts or {})
    q = req or http.createHttp()
    r = netstack.run(q.request(B + path, o))
    if req is None:
        q.destroy()  # its connection's 4 KB buffer goes back to the engine's spare
    assert ("age" in r.header) == hit, (path, opts, r.header)
    return r


def forwarded():
    # the proxy's counters {"forwarded": N, ..., "recent": [...]}, streamed (never cached),
    # keeping only the start: the whole JSON is large for a 110k heap
    gc.collect()
    got = []
    q = http.createHttp()
    q.on("dataReceive", lambda b: got or got.append(bytes(b[:40])))
    netstack.run(q.requestInStream("http://proxy.stats/", {"usingProxy": PX}))
    q.destroy()
    return int(got[0].split(b",")[0].split(b":")[1])
