# include: cache_support
# HttpResponseCache in RAM on MicroPython against httpbin, through the test proxy (CFG is
# prepended by the runner). A response answered from the cache carries an Age header
# (httpbin sends none); the proxy's "forwarded" counter proves those made no request.
# Flash (flush, reload, damaged files, delete): test_cache_flash.py.
_port.CACHE_DIR = "nscache-ram"  # relative: the run's dir (unix) or the flash (vboard, board)


n = forwarded()  # also the first request's one-time allocations, before measuring
gc.collect()
f0 = gc.mem_free()
c = http.createHttpResponseCache(32 * 1024)
gc.collect()
print("createHttpResponseCache (imports _cache) heap:", f0 - gc.mem_free())
assert http.createHttpResponseCache() is c  # one running cache, as OpenHarmony

# a fresh response (max-age=60) is answered from RAM: typed, and with header events
seen = []
req = http.createHttp()
req.on("headersReceive", seen.append)
r1 = get("/cache/60", {"expectDataType": 1}, False, req)  # 1: OBJECT (the enum costs 5 KB)
r2 = get("/cache/60", {"expectDataType": 1}, True, req)
assert r2.responseCode == 200 and r2.result == r1.result and r2.resultType == 1
assert int(r2.header["age"]) < 5 and r2.header["cache-control"] == "public, max-age=60"
assert len(seen) == 2 and seen[1] is r2.header
req.destroy()
seen = req = r1 = r2 = None
assert forwarded() == n + 1, "a fresh hit went to the network"
get("/cache/60", {"usingCache": False})  # bypasses the cache
netstack.run(http.createHttp().requestInStream(B + "/cache/60", {"usingProxy": PX}))  # too
# stale with a validator: revalidated (If-None-Match), the 304 answered with the stored 200
r1 = get("/etag/abc")
r2 = get("/etag/abc", None, True)
assert r2.responseCode == 200 and r2.result == r1.result and "abc" in r2.header["etag"]
r1 = r2 = None
# no-store is not kept, POST is not cached, request Cache-Control: no-cache revalidates
# (/cache/60 has no validator, so it is fetched anew)
for i in range(2):
    get("/response-headers?Cache-Control=no-store")
    get("/anything", {"method": "POST", "extraData": "a"})
get("/cache/60", {"header": {"Cache-Control": "no-cache"}})
assert forwarded() == n + 10

# cacheSize bounds the cache: the least recently used entry goes first
netstack.run(c.delete())
c = http.createHttpResponseCache(2000)  # two of these entries (~940 bytes each) fit
P = "/response-headers?Cache-Control=max-age%3D60&i="
for i, hit in (("1", 0), ("2", 0), ("1", 1), ("3", 0), ("1", 1), ("2", 0)):
    get(P + i, None, hit)  # 1 was used after 2: 3 evicts 2
    assert c.used <= 2000 and len(c.items) <= 2, (c.used, len(c.items))
assert forwarded() == n + 14
netstack.run(c.delete())
gc.collect()
print("heap free at the end:", gc.mem_free())
print("OK")
