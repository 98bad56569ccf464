# One GET of bench/server.py's /small and nothing else: the program bench/ram.py bisects the
# heap under. It is what a user program needs for that GET (import, request, check), without
# the dispatcher and other clients' cases that bench/mp_bench.py + mp_heap.py carry: those
# cost ~4K of heap themselves (bench/ram.py reports the GET through them too, as information).
#   micropython -X heapsize=N -m mp_get CLIENT URL [CA]
# CLIENT  netstack (netstack.http) | requests (micropython-lib, frozen in the binary)
# CA      netstack only: the CA file (PEM) given as caPath, for a verified https URL
# Prints {"ok":true} when the answer is 200 with the exact 100-byte body.
import sys

SMALL = b"netstack-bench /small 0123456789abcdefghijklmnopqrstuvwxyz.........................................\n"
c, url = sys.argv[1], sys.argv[2]
if c == "netstack":
    import netstack
    from netstack import http

    o = {"method": "GET"}
    if len(sys.argv) > 3:
        o["caPath"] = sys.argv[3]
    req = http.createHttp()
    r = netstack.run(req.request(url, o))
    req.destroy()
    ok = r.responseCode == 200 and r.result == SMALL.decode()
elif c == "requests":
    import requests

    r = requests.get(url)
    ok = r.status_code == 200 and r.content == SMALL
    r.close()
else:
    raise ValueError(c)
print('{"ok":%s}' % ("true" if ok else "false"))
