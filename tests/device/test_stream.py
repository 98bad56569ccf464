# timeout: 300
# requestInStream: a 10 MB download in bounded RAM (the 110k target), in order:
# headersReceive -> dataReceive x N (+ dataReceiveProgress) -> dataEnd -> resolves to the status.
import gc
H = CFG["hostile"]
CFG = None
gc.collect()
import netstack
from netstack import http

# a 10 MB streamed download in bounded RAM
req = http.createHttp()
n = [0, 0]
ev = []
req.on("headersReceive", lambda h: ev.append("head"))
req.on("dataReceiveProgress", lambda p: ev.append(p["receiveSize"]) if len(ev) < 3 else None)


def on_data(b):
    n[0] += len(b)
    n[1] = max(n[1], len(b))


req.on("dataReceive", on_data)
ends = []
req.on("dataEnd", lambda: ends.append(1))
code = netstack.run(req.requestInStream(H + "/big?n=10000000"))
assert code == 200 and n[0] == 10000000 and ends == [1], (code, n)
assert ev[0] == "head" and ev[1] > 0, ev
print("streamed 10 MB, largest piece", n[1])
gc.collect()
print("heap free after:", gc.mem_free())
print("OK")
