# timeout: 60
# A wss client (TLS, the CA from a file) in a program that never imports asyncio: the session
# on _port's one-task loop waits on the TLS socket's TCP socket where mbedTLS holds nothing
# (_porttls.WAITS, the unix port), and close() wakes that wait (test_solo_ws.py: ws://).
import gc
import sys
URL = CFG["wss_echo"] + "/x"
CA = CFG["ca_pem"]
CFG = None
gc.collect()
import netstack
from netstack import webSocket, _port

path = "solo_wss_ca.pem"
with open(path, "w") as f:
    f.write(CA)
CA = None
done = []
ev = []


def cb(err, data):
    done.append((err, data))


ws = webSocket.createWebSocket()
ws.on("open", lambda o: (ev.append("open"), ws.send("tls", cb)))
ws.on("message", lambda m: (ev.append(m), ws.close(None, cb)))
ws.on("close", lambda r: ev.append(("close", r["code"])))
ws.on("error", lambda e: ev.append(("error", e.code, e.data)))
assert netstack.run(ws.connect(URL, {"caPath": path})) is True
netstack.run()
assert ev == ["open", "tls", ("close", 1000)], ev
assert done == [(None, True)] * 2, done
assert "asyncio" not in sys.modules
assert _port._task_queue.peek() is None and _port._sw is None and not _port._iow
print("OK")
