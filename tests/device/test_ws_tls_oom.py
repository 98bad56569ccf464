# timeout: 60
# include: holes_support
# wss options on a heap without room for the CA file: connect() raises BusinessError
# 2302999 (webSocket's "other" code, with the text "out of memory reading caPath") before it
# dials, as it raises 2302002 there for a file that cannot be read. Before, a bare
# MemoryError came out of connect() (transport.tls.pem_to_ders / _port.read_file in
# _ws_clientx.tls_opts). The heap is cut into holes of ~500 B: the PEM read and its DER need
# more, the call's small objects fit.
import gc
C = {k: CFG[k] for k in ("ca_pem", "wss_echo")}
CFG = None
import netstack
from netstack import webSocket, _port
from netstack._err import BusinessError

PATH = "ws_oom_ca.pem"
with open(PATH, "w") as f:
    f.write(C["ca_pem"])


def session(ws):
    # one wss echo: open, a message back, close 1000 (the code for it is loaded after this)
    ev = []
    for n in ("open", "message", "close", "error"):
        ws.on(n, (lambda n: lambda *a: ev.append((n,) + a))(n))
    assert netstack.run(ws.connect(C["wss_echo"] + "/x", {"caPath": PATH})) is True

    async def until(name):
        for _ in range(2000):
            if [e for e in ev if e[0] == name]:
                return
            await _port.sleep_ms(5)
        raise AssertionError("no %s: %r" % (name, ev))
    netstack.run(until("open"))
    netstack.run(ws.send("tls"))
    netstack.run(until("message"))
    netstack.run(ws.close())
    netstack.run(until("close"))
    assert [e[1] for e in ev if e[0] == "message"] == ["tls"], ev
    assert [e for e in ev if e[0] == "close"][0][1]["code"] == 1000, ev


session(webSocket.createWebSocket())  # the connect path's modules loaded
ws = webSocket.createWebSocket()
holes()
try:
    try:
        netstack.run(ws.connect(C["wss_echo"] + "/x", {"caPath": PATH}))
        err = None
    except BusinessError as e:
        err = e
finally:
    refill()
assert err is not None and err.code == 2302999, err
assert "memory" in err.message, err.message
session(ws)  # the same object, the heap back: it connects (nothing was left half-open)
print("out of memory reading caPath: 2302999 before dialing")
print("OK")
