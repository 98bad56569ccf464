# timeout: 60
# Response heads bigger than the 4 KB receive buffer: the buffer grows for that connection
# up to the head limit (option maxHeadSize, default 8192); past it the error says so.
import gc
H = CFG["hostile"]
CFG = None
gc.collect()
import netstack
from netstack import http, BusinessError

req = http.createHttp()
# a 6 KiB header line (the size of a real server's big Set-Cookie)
r = netstack.run(req.request(H + "/huge-header?kb=6"))
assert r.result == "hello" and len(r.header["x-huge"]) == 6144
# the connection with the grown buffer is still good for the next request
r = netstack.run(req.request(H + "/ok"))
assert r.result == "hello"


def err(url, o=None):
    try:
        netstack.run(http.createHttp().request(url, o or {}))
    except BusinessError as e:
        return e.code, e.message
    raise AssertionError("no error")


assert err(H + "/huge-header?kb=20") == (2300008, "response head larger than 8192 bytes")
assert err(H + "/huge-header?kb=6", {"maxHeadSize": 4096}) == (2300008, "response head larger than 4096 bytes")
for bad in (100, 1 << 20, "8k", True):
    assert err(H + "/ok", {"maxHeadSize": bad})[0] == 401, bad
req.destroy()
print("OK")
