# HTTP "deflate" bodies decoded on MicroPython: zlib format and the raw deflate some servers
# send, checked to the last byte (gzip, the bomb and the limit: test_decode.py). Its own
# script: decoding needs one free 32 KB block (docs/http.md), and at 110k one decoded body
# leaves the heap too split for another window, so each script starts on a fresh heap.
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
for path in ("/deflate", "/deflate?raw=1"):
    r = get(H + path, {"header": {"Accept-Encoding": "deflate"}})
    assert r.responseCode == 200 and r.header["content-encoding"] == "deflate", r.header
    assert r.result == body("deflate"), (path, r.result)   # every byte, none dropped or added
    r = None
    print("decoded", path)
print("OK")
