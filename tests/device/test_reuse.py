# timeout: 120
# Reused keep-alive GETs and their shortcuts (docs/http.md, "Reused GETs"): a response head
# byte-identical to the last one is not parsed again (the engine hands its parse again), its
# header object is copied, and a wait for the response blocks in the poller only while
# nothing else could run, up to readTimeout's deadline.
import gc
CFG = {"hostile": CFG["hostile"]}
gc.collect()
import time
import asyncio
import netstack
from netstack import http, BusinessError

H = CFG["hostile"]
req = http.createHttp()


def get(path, opts=None):
    return netstack.run(req.request(H + path, opts or {}))


# The same head bytes, other bodies: each body is its own, each header object the caller's
a, b = get("/conn"), get("/conn")
assert (a.result, b.result) == ("1", "2"), (a.result, b.result)  # one connection
assert a.header == b.header and a.header is not b.header, (a.header, b.header)
b.header["x-mine"] = "changed"
c = get("/conn")
assert c.result == "3" and "x-mine" not in c.header, c.header
assert c.header["content-length"] == "1"

# Heads of the same length that differ in one byte are parsed each (the memo compares bytes)
for v in ("aaaa", "bbbb", "aaaa", "bbbb"):
    r = get("/conn-token?v=" + v)
    assert r.header["connection"] == v and r.result == "token", (v, r.header)
assert get("/conn").result == "8"  # still the one connection (no 'close' token)
# A bigger response after small ones: the first read asks for what the last response took
# (no read saying EAGAIN after it), the rest comes with the next reads
r = get("/big?n=3000", {"expectDataType": http.HttpDataType.ARRAY_BUFFER})
assert len(r.result) == 3000 and r.result[2999] == 2999 & 255 and r.result[130] == 130
assert get("/conn").result == "10"  # (the same connection)

# A HEAD and a GET answered with the same head: framed by their method each
r = netstack.run(req.request(H + "/ok", {"method": "HEAD"}))
assert r.responseCode == 200 and r.result == "", r.result
assert get("/ok").result == "hello"
r = netstack.run(req.request(H + "/ok", {"method": "HEAD"}))
assert r.result == "", r.result
assert get("/ok").result == "hello"

# readTimeout on a kept connection whose peer stalls: the wait ends at the deadline
t0 = time.ticks_ms()
try:
    get("/delay?ms=4000", {"readTimeout": 300})
    raise AssertionError("no timeout")
except BusinessError as e:
    assert e.code == 2300028, e
dt = time.ticks_diff(time.ticks_ms(), t0)
assert 250 <= dt < 2500, dt
e = None
assert get("/ok").result == "hello"  # (a new connection: the stalled one was closed)

# Another task due while the response is awaited runs on time (the wait does not block past
# it), and a GET waited on inside a task still completes
ran = []


async def other(t0):
    await asyncio.sleep_ms(80)
    ran.append(time.ticks_diff(time.ticks_ms(), t0))


async def main():
    t0 = time.ticks_ms()
    asyncio.create_task(other(t0))
    r = await req.request(H + "/delay?ms=400")
    return r, time.ticks_diff(time.ticks_ms(), t0)


r, dt = netstack.run(main())
assert r.result == "hello" and dt >= 380, (r.result, dt)
assert ran and ran[0] < 300, (ran, dt)  # at 80 ms, not after the response
req.destroy()
print("OK")
