# A board whose network is down (netstack_port.net_ready() False: WiFi not connected) fails
# requests at once with a message saying so, not with a DNS error after a lookup timeout.
import gc
import time
import netstack
from netstack import _port, fetch, http

_port.net_ready = lambda: False     # what ports/esp32|rp2 define; other runtimes have none
try:
    t = time.ticks_ms()
    try:
        netstack.run(http.createHttp().request(CFG["httpbin"] + "/get"))
        raise AssertionError("request succeeded with the network down")
    except netstack.BusinessError as e:
        assert e.code == 2300007, (e.code, e.message)
        assert "network is down" in e.message, e.message
    box = []
    fetch.fetch({"url": CFG["httpbin"] + "/get",
                 "fail": lambda data, code: box.append((data, code)),
                 "complete": lambda: box.append("complete")})
    netstack.run()
    assert box[0][1] == 2300007 and "network is down" in box[0][0], box
    assert time.ticks_diff(time.ticks_ms(), t) < 2000, "not at once"
finally:
    del _port.net_ready
# and back up: the same request goes through
box = None
gc.collect()
resp = netstack.run(http.createHttp().request(CFG["httpbin"] + "/get"))
assert resp.responseCode == 200, resp.responseCode
print("OK")
