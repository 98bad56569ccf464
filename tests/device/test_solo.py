# timeout: 120
# netstack.run(op) of one of the library's operations needs no asyncio (~4 KB of heap): with
# asyncio not loaded, _port runs it on a loop of one task. Plain GETs, their deadlines
# (connect, read, TLS handshake) and destroy() never load asyncio here; a listener's
# callback-style call loads it mid-run, and the run goes on on asyncio's loop with its
# socket wait and its watchdogs (all asserted, in that order: asyncio cannot be unloaded).
import gc
import sys
import time
import socket
CFG = {k: CFG[k] for k in ("hostile", "closed_port", "httpbins", "ca_pem")}
gc.collect()
import netstack
from netstack import http, BusinessError

H = CFG["hostile"]
MARGIN = 600  # ms a deadline may take beyond its value (a vboard or a loaded machine)


def no_asyncio(what):
    assert "asyncio" not in sys.modules, "asyncio loaded by " + what


def code_of(req, url, opts, stream=False):
    t = time.ticks_ms()
    try:
        netstack.run(req.requestInStream(url, opts) if stream else req.request(url, opts))
    except BusinessError as e:
        return e.code, time.ticks_diff(time.ticks_ms(), t)
    raise AssertionError("no error for " + url)


no_asyncio("import netstack.http")
req = http.createHttp()
r = netstack.run(req.request(H + "/ok"))
assert (r.responseCode, r.result) == (200, "hello"), r
r = netstack.run(req.request(H + "/ok"))  # the kept-alive connection: wait_now's way
assert r.result == "hello"
no_asyncio("a GET")

# readTimeout: the watchdog of the one-task loop cancels the request in time (no head; a
# head, then a body that drips)
for path in ("/silence", "/drip?ms=50"):
    code, ms = code_of(req, H + path, {"readTimeout": 300})
    assert code == 2300028 and 300 <= ms < 300 + MARGIN, (path, code, ms)
# requestInStream with a dataReceive listener, and a connection left to close by the server
got = []
req.on("dataReceive", lambda b: got.append(len(b)))
assert netstack.run(req.requestInStream(H + "/chunked")) == 200 and sum(got) > 0, got
req.off("dataReceive")

# connectTimeout and a TLS handshake that never ends: a listener whose accept queue is full
# (its SYNs are dropped: the connect hangs), then one that takes the connection and never
# answers the ClientHello (the handshake waits for a read: readTimeout bounds it)
port = CFG["closed_port"]
sa = socket.getaddrinfo("127.0.0.1", port)[0][-1]
lst = socket.socket()
lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind(sa)
lst.listen(0)
fill = []
for _ in range(4):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect(sa)
    except OSError:
        pass  # EINPROGRESS
    fill.append(s)
time.sleep_ms(50)
code, ms = code_of(req, "http://127.0.0.1:%d/" % port, {"connectTimeout": 300})
assert code == 2300028 and 300 <= ms < 300 + MARGIN, ("connect", code, ms)
for s in fill:
    s.close()
lst.close()
lst = socket.socket()
lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind(sa)
lst.listen(4)  # never accepts: the kernel completes the TCP handshake, nobody speaks TLS
code, ms = code_of(req, "https://127.0.0.1:%d/" % port,
                   {"readTimeout": 300, "remoteValidation": "skip"})
assert code == 2300028 and 300 <= ms < 300 + MARGIN, ("tls handshake", code, ms)
lst.close()
r = netstack.run(req.request(CFG["httpbins"] + "/get", {"caData": CFG["ca_pem"]}))
assert r.responseCode == 200
r = None
no_asyncio("deadlines and https")

# destroy() from a listener: the request that emitted the event fails with 2300023
d = http.createHttp()
d.on("headersReceive", lambda h: d.destroy())
code, ms = code_of(d, H + "/ok", None)
assert code == 2300023, code
no_asyncio("destroy()")
gc.collect()

# A task other than the run's own that raises (a webSocket pinger out of memory; here one a
# listener queued): reported as asyncio's loop reports it (_err.hook takes the report here),
# and the run goes on to its GET's end (it had come out of netstack.run()).
from netstack import _err, _port
seen = []


async def bad():
    raise ValueError("bad")


req.on("headersReceive", lambda h: _port.spawn_after(bad(), 0))
_err.hook = lambda e, what: seen.append((type(e).__name__, what))
r = netstack.run(req.request(H + "/chunked-cut?step=50&ms=1"))  # (the body in steps)
_err.hook = None
req.off("headersReceive")
assert r.responseCode == 200 and seen == [("ValueError", "task")], (r.responseCode, seen)
no_asyncio("a raising task")

# A listener makes a callback-style call mid-run: asyncio loads, and the run moves onto its
# loop while its task waits for the body (its socket wait, and its readTimeout watchdog):
# the body goes on arriving there, the watchdog fires in time, and the callback comes.
done = []
other = http.createHttp()


def start_other(h):
    other.request(H + "/ok", lambda e, r: done.append((e, r and r.result)))


m = http.createHttp()
m.on("headersReceive", start_other)
got = []
m.on("dataReceive", lambda b: got.append("asyncio" in sys.modules))
code, ms = code_of(m, H + "/drip?ms=20", {"readTimeout": 400}, True)
assert code == 2300028 and 400 <= ms < 400 + MARGIN, ("moved", code, ms)
assert "asyncio" in sys.modules
assert got.count(True) > 3, got  # pieces that came on asyncio's loop
netstack.run()  # until the callback has come
assert done == [(None, "hello")], done
# once asyncio is loaded, a run is asyncio's: a GET and a deadline there
r = netstack.run(m.request(H + "/ok"))
assert r.result == "hello"
m.off("headersReceive")
code, ms = code_of(m, H + "/silence", {"readTimeout": 300})
assert code == 2300028 and 300 <= ms < 300 + MARGIN, ("asyncio", code, ms)
m.destroy()
other.destroy()
req.destroy()
print("OK")
