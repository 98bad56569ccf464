# netstack.fetch (@system.fetch) on MicroPython. The device runner puts a line
# `CFG = {...}` (the peers' cfg) in front of this file. Prints OK as its last line.
# Fits -X heapsize=110k with the library as .mpy.
import gc
# keep only what this script uses: at a 110k heap the other PEM strings in CFG matter
CFG = {k: CFG[k] for k in ("httpbin", "hostile", "httpbins", "closed_port", "ca_pem",
                           "other_ca_pem")}
gc.collect()
import netstack
from netstack import fetch

BIN = CFG["httpbin"]
HOST = CFG["hostile"]
BINS = CFG["httpbins"]
ev = []


def call(**o):
    """Run one fetch to the end; -> the callback events, in order."""
    ev.clear()
    o.setdefault("success", lambda r: ev.append(("success", r)))
    o.setdefault("fail", lambda m, c: ev.append(("fail", m, c)))
    o.setdefault("complete", lambda: ev.append(("complete",)))
    assert fetch.fetch(o) is None
    netstack.run()
    assert ev[-1] == ("complete",) and ev.count(("complete",)) == 1, ev
    gc.collect()
    return ev[0]


def ok(**o):
    e = call(**o)
    assert e[0] == "success" and len(ev) == 2, ev
    return e[1]


def failed(code, **o):
    e = call(**o)
    assert e[0] == "fail" and e[2] == code and len(ev) == 2, ev
    assert isinstance(e[1], str) and e[1], e
    return e[1]


def echo(**o):
    """Through hostile /echo: -> (request target, {lower-case header name: [values]}, body)."""
    import json
    r = ok(**o)
    d = json.loads(r["data"])
    h = {}
    for line in d["headers"]:
        n, v = line.split(":", 1)
        h.setdefault(n.strip().lower(), []).append(v.strip())
    return d["target"], h, d["body"]


# https first, while the heap is unfragmented (a TLS session needs large blocks):
# verified against caData; without it, or with the wrong CA, it fails
r = ok(url=BINS + "/get", caData=CFG["ca_pem"])
assert r["code"] == 200 and '"url": "https://' in r["data"], r
r = None
failed(2300077, url=BINS + "/get")
failed(2300060, url=BINS + "/get", caData=CFG["other_ca_pem"])

# success for any status; headers are a dict with lower-case names
r = ok(url=HOST + "/ok")
assert r["code"] == 200 and r["data"] == "hello", r
assert r["headers"]["content-length"] == "5", r
r = ok(url=BIN + "/status/404")
assert r["code"] == 404 and r["data"] == "", r

# responseType json (any case): object/array parsed; otherwise no `data` key
r = ok(url=BIN + "/json", responseType="JSON")
assert isinstance(r["data"], dict) and "slideshow" in r["data"], r
r = ok(url=HOST + "/ok", responseType="json")
assert r["code"] == 200 and "data" not in r, r
r = ok(url=BIN + "/base64/NQ==", responseType="json")  # "5": JSON, but not an object
assert "data" not in r, r
r = ok(url=BIN + "/json", responseType="text")
assert isinstance(r["data"], str), r

# GET data: a dict is form-encoded with sorted keys, a str appended as given
t, h, b = echo(url=HOST + "/echo?z=0", data={"b": "x y", "a": 1})
assert t == "/echo?z=0&a=1&b=x%20y", t
assert "content-type" not in h, h
t, h, b = echo(url=HOST + "/echo", data="q=1&r=%20")
assert t == "/echo?q=1&r=%20", t

# POST/PUT data: dict -> JSON, str -> text/plain, bytes -> octet-stream
r = ok(url=BIN + "/anything", method="POST", data={"k": "v", "n": 2}, responseType="json")
d = r["data"]
assert d["method"] == "POST" and d["json"] == {"k": "v", "n": 2}, d
assert d["headers"]["Content-Type"] == "application/json", d["headers"]
r = ok(url=BIN + "/anything", method="PUT", data="hello", responseType="json")
d = r["data"]
assert d["method"] == "PUT" and d["data"] == "hello", d
assert d["headers"]["Content-Type"] == "text/plain", d["headers"]
t, h, b = echo(url=HOST + "/echo", method="POST", data=b"\x01\x02")
assert h["content-type"] == ["application/octet-stream"] and b == "\x01\x02", (h, b)
d = r = None

# header: user values replace the defaults whatever the case
t, h, b = echo(url=HOST + "/echo", method="POST", data="x",
               header={"Content-Type": "text/x-mine", "User-Agent": "me", "X-N": 5})
assert h["content-type"] == ["text/x-mine"], h
assert h["user-agent"] == ["me"] and h["x-n"] == ["5"], h
assert "accept-encoding" not in h, h

# redirects are followed
r = ok(url=HOST + "/redirect?to=/ok")
assert r["code"] == 200 and r["data"] == "hello", r
r = ok(url=BIN + "/redirect/2")
assert r["code"] == 200, r
failed(2300047, url=HOST + "/redirect-loop")

# failures: fail(message, code) then complete
failed(2300007, url="http://127.0.0.1:%d/" % CFG["closed_port"])
failed(2300006, url="http://no-such-host.invalid/")
failed(2300003, url="no-scheme")
failed(2300001, url="ftp://127.0.0.1/")
failed(2300003, url="http:///path")
failed(401, url=HOST + "/ok", method="PATCH")
failed(401, url=HOST + "/ok", method="get")
failed(401, url=HOST + "/ok", data=5)
failed(2300018, url=HOST + "/lying-length")
failed(2300008, url=HOST + "/bad-status")

# no url / not a dict: no callbacks at all
ev.clear()
assert fetch.fetch({"complete": lambda: ev.append(1)}) is None
assert fetch.fetch({"url": 5, "complete": lambda: ev.append(1)}) is None
assert fetch.fetch("http://x/") is None
netstack.run()
assert ev == [], ev


# a callback that raises is reported (to the test-mode hook here: devtest fails a script on
# a printed report); complete still runs
from netstack import _log
reports = []
_log.hook = lambda e, where: reports.append((where, type(e).__name__, str(e)))


def boom(r):
    raise ValueError("boom (expected)")


e = call(url=HOST + "/ok", success=boom)
assert ev == [("complete",)], ev
e = call(url=HOST + "/ok", method="PATCH", fail=lambda m, c: 1 / 0)
assert ev == [("complete",)], ev
assert reports == [("success", "ValueError", "boom (expected)"),
                   ("fail", "ZeroDivisionError", "divide by zero")], reports
_log.hook = None

# complete may start another fetch: run() waits for it too
ev.clear()
fetch.fetch({"url": HOST + "/ok", "complete": lambda: fetch.fetch(
    {"url": HOST + "/ok", "success": lambda r: ev.append(r["code"])})})
netstack.run()
assert ev == [200], ev

gc.collect()
print("OK")
