# include: cache_support
# HttpResponseCache on flash on MicroPython: flush() writes files, a reset and a new
# createHttpResponseCache() load them, damaged files are ignored, delete() removes them.
# Against httpbin through the test proxy (CFG is prepended by the runner); a response
# answered from the cache carries an Age header, the proxy's counter proves no request.
import os
from netstack import _client

D = "nscache-flash"  # relative: the run's dir (unix) or the flash (vboard, board)
_port.CACHE_DIR = D


def files():
    try:
        return sorted(os.listdir(D))
    except OSError:
        return []


def reset():  # what a reset does to the running cache: gone, its flushed files stay
    _client.cache = None
    gc.collect()


for name in files():  # left by an earlier run that failed
    os.remove(D + "/" + name)
n = forwarded()  # also the first request's one-time allocations, before the cache's
c = http.createHttpResponseCache()
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
r = get("/cache/60", hit=True)  # loaded from flash and still fresh
assert r.result.find('"url": "%s/cache/60"' % B) > 0, r.result
r = get("/etag/abc", hit=True)  # stale: revalidated with the loaded ETag, 304 -> stored 200
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
assert done[-1] == ("delete", None) and files() == [] and _client.cache is None, files()
get("/cache/60")
get("/cache/60")  # stopped: usingCache has no effect until the next create
assert forwarded() == n + 7
gc.collect()
print("heap free at the end:", gc.mem_free())
print("OK")
