# One benchmark measurement in MicroPython; prints one JSON line, exits 1 on failure.
#
#   micropython [-X heapsize=N] bench/mp_bench.py CASE CLIENT [key=value ...]
#   MICROPYPATH=<dir of bench .mpy>:<netstack lib>:.frozen micropython -m mp_bench CASE CLIENT ...
#
# CASE    small_new | small_reuse | bulk_cl | bulk_chunked      (bench/mp_speed.py)
#         heap_get | heap_https | heap_none                     (bench/mp_heap.py)
# CLIENT  raw (bench/raw_get.py) | requests (micropython-lib, frozen in the binary)
#         | netstack (netstack.http from lib/ or build/lib on MICROPYPATH)
# keys    port=  HTTP port of bench/server.py      sport= its HTTPS port
#         n=     GETs (small_*), bytes (bulk_*)     limit= seconds cap on the timed loop
#         mode=  stream (default) | whole (bulk_*)  chunk= chunk size for bulk_chunked
#         ca=    the CA as DER (raw)                capem= the CA as PEM (netstack)
#         tls=   caPath (default) | caData: how netstack gets the CA
#
# This file is only the dispatcher and stays small: the heap search runs it under
# -X heapsize=..., and whatever it holds is counted against the client being measured.
# The heap cases print their line without json for the same reason.
import sys


def main(argv):
    if len(argv) < 2:
        print("usage: mp_bench.py CASE CLIENT [key=value ...]")
        sys.exit(2)
    case, client = argv[0], argv[1]
    a = {}
    for kv in argv[2:]:
        k, _, v = kv.partition("=")
        a[k] = v
    if case.startswith("heap_"):
        import mp_heap

        mp_heap.run(case, client, a)
        print('{"case":"%s","client":"%s","ok":true}' % (case, client))
        return
    import mp_speed
    import json

    r = mp_speed.run(case, client, a)
    r["case"] = case
    r["client"] = client
    r["ok"] = True
    print(json.dumps(r))


def _run():
    argv = sys.argv[1:]
    try:
        main(argv)
    except Exception as e:
        import json

        print(json.dumps({"case": argv[0] if argv else None,
                          "client": argv[1] if len(argv) > 1 else None,
                          "ok": False, "error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(1)


_run()
