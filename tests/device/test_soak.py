# timeout: 300
# Soak: sequential requests written the ways users write them, with no gc.collect() in the
# loops (the heap is only measured, at a style's 100th request and at its end). Every
# request must succeed and the heap after gc.collect() must stay flat (within 1 KB) from
# request 100 on. `make test` runs SOAK_N (default 300) per style; `make soak` runs the
# issue's length (tools/soak.py: 25,000 requests per style at 110k, from .mpy).
import gc
H = CFG["hostile"]
N = CFG.get("soak_n", 300)
CFG = None
gc.collect()
import time
import netstack
from netstack import http

OK_URL = H + "/ok"                   # keep-alive server
CLOSE_URL = H + "/close-delimited"   # the server closes after each response
HTTP10_URL = H + "/http10"
CLOSE_BODY = "this body ends when the server closes the connection\n" * 3
HTTP10_BODY = "hello from HTTP/1.0\n"
FLAT = 1024
report = []


def heap():
    gc.collect()
    return gc.mem_free()


def check(name, r, read, want):
    assert r.responseCode == 200, (name, r.responseCode)
    if read:
        b = r.result
        if type(b) is bytearray:
            b = str(b, "utf-8")
        assert b == want, (name, b)


def style(name, url, want, fresh_req, ab, read):
    req = None if fresh_req else http.createHttp()
    at100 = None
    t = time.ticks_ms()
    for i in range(1, N + 1):
        if ab:
            o = {"expectDataType": http.HttpDataType.ARRAY_BUFFER}
        else:
            o = {"readTimeout": 30000}
        if fresh_req:  # as OpenHarmony's tutorials: a new HttpRequest for each request
            r = netstack.run(http.createHttp().request(url, o))
        else:
            r = netstack.run(req.request(url, o))
        check(name, r, read, want)
        r = o = None
        if i == 100:
            at100 = heap()
    end = heap()
    done(name, at100, end, t)
    if req is not None:
        req.destroy()


def done(name, at100, end, t):
    ms = time.ticks_diff(time.ticks_ms(), t)
    report.append((name, at100, end))
    print("%-28s %6d requests  heap free at 100: %6d  at end: %6d  (%+d)  %d ms" % (
        name, N, at100, end, end - at100, ms))


def callback_style():
    # callback style: each callback starts the next request; one netstack.run() for all
    req = http.createHttp()
    st = {"i": 0, "at100": None, "end": None, "err": None}
    t = time.ticks_ms()

    def next_one():
        ab = st["i"] & 1
        o = {"expectDataType": http.HttpDataType.ARRAY_BUFFER} if ab else {}
        req.request(OK_URL, o, on_result)

    def on_result(err, r):
        if err is not None:
            st["err"] = err
            return
        st["i"] += 1
        check("callback", r, True, "hello")
        r = None
        if st["i"] == 100:  # both measured inside a callback, with the same frames live
            st["at100"] = heap()
        elif st["i"] == N:
            st["end"] = heap()
        if st["i"] < N:
            next_one()

    next_one()
    netstack.run()
    assert st["err"] is None, (st["i"], st["err"])
    assert st["i"] == N, st["i"]
    done("callback, one run()", st["at100"], st["end"], t)
    req.destroy()


print("heap free after import:", heap())
style("kept, ARRAY_BUFFER, read", OK_URL, "hello", False, True, True)
style("kept, str, not read", OK_URL, "hello", False, False, False)
style("new each, str, read", OK_URL, "hello", True, False, True)
style("new each, AB, not read", OK_URL, "hello", True, True, False)
style("kept, server closes, str", CLOSE_URL, CLOSE_BODY, False, False, True)
style("new each, closes, AB", HTTP10_URL, HTTP10_BODY, True, True, True)
callback_style()
for name, at100, end in report:
    assert abs(end - at100) <= FLAT, (name, at100, end)
print("OK")
