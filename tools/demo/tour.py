# The `make demo` tour, run on the MicroPython unix port against local servers.
# CFG (the peers' addresses) is prepended by tools/demo.py.
import gc
import netstack
from netstack import BusinessError

print("== core: BusinessError, events, run")
e = BusinessError(2300028)
print("BusinessError(2300028):", e.code, e.message)

print("\n== @system.fetch")
from netstack import fetch
fetch.fetch({"url": CFG["httpbin"] + "/get", "data": {"hello": "board"}, "responseType": "json",
             "success": lambda r: print("success", r["code"], r["data"]["args"]),
             "fail": lambda msg, code: print("fail", code, msg),
             "complete": lambda: print("complete")})
netstack.run()

print("\n== @ohos.net.http: request with header events")
from netstack import http
req = http.createHttp()
req.on("headersReceive", lambda h: print("headersReceive content-type:", h.get("content-type")))
r = netstack.run(req.request(CFG["httpbin"] + "/redirect/2", {"expectDataType": http.HttpDataType.OBJECT}))
print("responseCode", r.responseCode, "resultType", r.resultType, "url", r.result["url"])
r = netstack.run(req.request(CFG["httpbins"] + "/get", {"caData": CFG["ca_pem"]}))
print("https (verified against the local CA):", r.responseCode)
try:
    netstack.run(req.request(CFG["hostile"] + "/bad-chunk"))
except BusinessError as err:
    print("hostile server:", err.code, err.message)
pin = {"publicKeyHash": CFG["spki_sha256_b64"], "hashAlgorithm": "SHA-256"}
r = netstack.run(req.request(CFG["httpbins"] + "/get", {"caData": CFG["ca_pem"], "certificatePinning": pin}))
print("https with certificatePinning (the server's key):", r.responseCode)
try:
    pin["publicKeyHash"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    netstack.run(req.request(CFG["httpbins"] + "/get", {"caData": CFG["ca_pem"], "certificatePinning": pin}))
except BusinessError as err:
    print("https with a wrong pin:", err.code, err.message)
req.destroy()

print("\n== HttpResponseCache: a fresh response is answered from RAM")
from netstack import _port
_port.CACHE_DIR = "demo-cache"  # on a board: /cache on its flash
cache = http.createHttpResponseCache()
req = http.createHttp()
for i in range(2):
    r = netstack.run(req.request(CFG["httpbin"] + "/cache/60"))
    print("GET /cache/60:", r.responseCode, "from the cache" if "age" in r.header else "from the network")
netstack.run(cache.delete())
req.destroy()

print("\n== requestInStream: 5 MB with progress")
req = http.createHttp()
seen = [0]


def progress(p):
    if p["receiveSize"] - seen[0] >= 1000000 or p["receiveSize"] == p["totalSize"]:
        seen[0] = p["receiveSize"]
        print("dataReceiveProgress %d / %d" % (p["receiveSize"], p["totalSize"]))


req.on("dataReceive", lambda b: None)
req.on("dataReceiveProgress", progress)
req.on("dataEnd", lambda: print("dataEnd"))
print("requestInStream ->", netstack.run(req.requestInStream(CFG["hostile"] + "/big?n=5000000")))
gc.collect()
print("\nheap free at the end:", gc.mem_free())
