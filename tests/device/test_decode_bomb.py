# A gzip bomb on MicroPython: 10 MiB of zeros in ~10 KB of gzip stops at maxLimit with
# 2300023 and never fills the heap (a script of its own: see test_decode.py). maxLimit is
# 4 KB: the compressed body (10 KB), the 32 KB window and the output all fit at 110k.
import gc
CFG = {"hostile": CFG["hostile"], "httpbin": CFG["httpbin"]}
gc.collect()
import netstack
from netstack import http, BusinessError

H = CFG["hostile"]
B = CFG["httpbin"]


def get(url, opts):
    gc.collect()
    req = http.createHttp()
    try:
        return netstack.run(req.request(url, opts))
    finally:
        req.destroy()


def code_of(url, opts):
    try:
        get(url, opts)
    except BusinessError as e:
        return e.code
    raise AssertionError("no error for " + url)


def body(coding):  # what peers_hostile compresses: json.dumps of this, CPython's separators
    return '{"encoding": "%s", "data": "%s"}' % (coding, "hello " * 20)


gc.collect()
print("heap free after import:", gc.mem_free())
r = None
got = code_of(H + "/gzip-bomb", {"header": {"Accept-Encoding": "gzip"}, "maxLimit": 4096})
assert got == 2300023, got

gc.collect()
print("heap free at the end:", gc.mem_free())
print("OK")
