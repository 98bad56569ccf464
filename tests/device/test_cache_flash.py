# HttpResponseCache on flash on MicroPython: flush() writes files, a reset and a new
# createHttpResponseCache() load them, damaged files are ignored, delete() removes them.
# Against httpbin through the test proxy (CFG is prepended by the runner); a response
# answered from the cache carries an Age header, the proxy's counter proves no request.
import gc
NEED = 24 * 1024
import os
CFG = {"httpbin": CFG["httpbin"], "proxy": CFG["proxy"]}
gc.collect()
import netstack
from netstack import http, _port

B = CFG["httpbin"]
PX = {"host": "127.0.0.1", "port": int(CFG["proxy"].rsplit(":", 1)[1])}
D = "nscache-flash"  # relative: the run's dir (unix) or the flash (vboard, board)
_port.CACHE_DIR = D


def get(path, hit=False):
    gc.collect()  # at 110k the heap is tight: keep room in one piece for the 4 KB buffer
    q = http.createHttp()
    r = netstack.run(q.request(B + path, {"usingProxy": PX}))
    q.destroy()  # its connection's 4 KB buffer goes back to the engine's spare
    assert ("age" in r.header) == hit, (path, r.header)
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


def files():
    try:
        return sorted(os.listdir(D))
    except OSError:
        return []


def reset():  # what a reset does to the running cache: gone, its flushed files stay
    http._rc = None
    gc.collect()


for name in files():  # left by an earlier run that failed
    os.remove(D + "/" + name)
n = forwarded()  # also the first request's one-time allocations, before the cache's
c = http.createHttpResponseCache()
gc.collect()
# The cache keeps its entries in RAM next to a request in flight (10-14 KB): below this
# much free heap the checks would measure the heap's fragmentation, not the cache.
if gc.mem_free() < NEED:
    print("SKIP the response cache needs ~%d KB of free heap here; %d free with the library loaded from .mpy" % (NEED // 1024, gc.mem_free()))
    raise SystemExit
get("/cache/60")
get("/etag/abc")
get("/response-headers?Cache-Control=no-store")
assert len(c.items) == 2 and files() == []  # in RAM only until flush()
netstack.run(c.flush())
stored = files()
assert len(stored) == 2 and sorted(c.items) == stored, (stored, list(c.items))
netstack.run(c.flush())  # nothing changed, nothing left over
assert files() == stored

reset()
c = http.createHttpResponseCache()
assert sorted(c.items) == stored
r = get("/cache/60", True)  # loaded from flash and still fresh
assert r.result.find('"url": "%s/cache/60"' % B) > 0, r.result
r = get("/etag/abc", True)  # stale: revalidated with the loaded ETag, 304 -> stored 200
assert r.responseCode == 200 and r.result.find("/etag/abc") > 0, r.result
r = None
assert forwarded() == n + 4

# damaged files (a cut inside the body, garbage) and a leftover temporary one: on the next
# load they are removed, and the requests go to the network
with open(D + "/" + stored[0], "rb") as f:
    head = f.readline()
with open(D + "/" + stored[0], "wb") as f:  # its head line, then 3 bytes of its body
    f.write(head + b"abc")
with open(D + "/" + stored[1], "wb") as f:
    f.write(b"\x00\xff garbage")
with open(D + "/" + stored[0] + ".tmp", "wb") as f:
    f.write(b'["ns1", "0')
head = None
reset()
c = http.createHttpResponseCache()
assert not c.items and files() == [], files()
get("/cache/60")

# callback style; delete() empties RAM and flash and stops the cache
done = []
c.flush(lambda err, data: done.append(("flush", err)))
netstack.run()
assert done == [("flush", None)] and len(files()) == 1, (done, files())
c.delete(lambda err, data: done.append(("delete", err)))
netstack.run()
assert done[-1] == ("delete", None) and files() == [] and http._rc is None, files()
get("/cache/60")
get("/cache/60")  # stopped: usingCache has no effect until the next create
assert forwarded() == n + 7
gc.collect()
print("heap free at the end:", gc.mem_free())
print("OK")
