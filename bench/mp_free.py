# Free-heap cases: the heap one GET needs once the client is imported. Its own entry point
# (bench/mp_bench.py, which the "smallest heap" rows count, stays as it is):
#
#   micropython -X heapsize=512k -m mp_free CASE CLIENT free=N [key=value ...]
#
#   free_get    http://127.0.0.1:port/small      (the GET of mp_heap's heap_get)
#   free_https  https://127.0.0.1:sport/small    (the GET of mp_heap's heap_https, same CA handling)
#   CLIENT      raw | requests | netstack; the other keys as for mp_bench (port, sport, ca, capem, tls)
#   keys        free=N   bytes of heap left free for the GET (gc.mem_free() after gc.collect())
#               mods=1   also report the modules first imported during the GET
#               pre=a,b  import these modules too before the ballast (code a firmware would hold)
#               holes=1  count the holes between the imported objects in N (default: N in one run)
#
# Run under a roomy -X heapsize: import the client (and, for netstack, `import netstack`),
# this module and mp_heap (whose GET code is reused), then gc.collect(), then allocate
# ballast until gc.mem_free() reports exactly N bytes, in one run of blocks, then the first
# GET, as a user would (no warm-up). So the loaded code of the client and of the harness is
# in place before the ballast and not counted: what is counted is the run-time RAM of one
# GET, as a board with the library frozen in firmware would need it on top of its idle heap.
# gc.mem_free() counts every free block, including the holes that loading .mpy code leaves
# between objects (about 15 KB after netstack's import); the ballast fills those too, so
# the figure does not depend on how the imports happened to fragment this heap.
import gc
import sys

import mp_heap


def run(case, client, a):
    n = int(a["free"])
    holes = a.get("holes")
    if client == "raw":
        import raw_get
    elif client == "requests":
        import requests
    elif client == "netstack":
        try:
            import netstack
            from netstack import http
        except Exception as e:
            raise RuntimeError("netstack.http not available: %s: %s" % (type(e).__name__, e))
    else:
        raise ValueError("unknown client " + client)
    for m in a.get("pre", "").split(","):
        if m:
            __import__(m)
    mods = list(sys.modules) if a.get("mods") else None
    # The ballast, all in this function: a function call would put its frame in the heap
    # (MicroPython does so for frames with more than a few locals) and free it on return.
    # Default, n free in one run: bytearray(n) reserves the run (its object goes into the
    # lowest free block, its data into the first run of n bytes), the loop takes every
    # other free block, the reservation is dropped, and 1-tuples take back the lowest free
    # block(s) (the object's). holes=1: the loop alone, to n: its pieces come from the big
    # free run at the top, and the holes between the imported objects stay free in n.
    # The pieces hang on a chain of tuples: a big piece is (chain, bytearray(s)), a 1-block
    # gap (chain,). On the 64-bit unix port a block is 32 bytes, a 1- or 2-tuple and a
    # bytearray object are one block each and the data ceil(s / 32) blocks, so s = d - 64
    # takes exactly d bytes; this is not assumed: mem_free is read again before every
    # piece. A piece that finds no run long enough is halved (first fit fills the lowest
    # holes first).
    gc.collect()
    r = None if holes else bytearray(n)
    target = n if holes else 0
    chain = None
    s = -1
    pieces = 0
    k = 0
    while k < 20000:  # bounded; far more than the holes of a 512k heap
        k += 1
        gc.collect()
        d = gc.mem_free() - target
        if d <= 0:
            break
        if d < 96 or s == 0:
            chain = (chain,)
        else:
            if s < 0 or s > d - 64:
                s = d - 64
            try:
                chain = (chain, bytearray(s))
            except MemoryError:
                s = s // 2 if s > 64 else 0
                continue
        pieces += 1
    r = None
    k = 0
    while k < 400:  # bounded
        k += 1
        gc.collect()
        if gc.mem_free() <= n:
            break
        chain = (chain,)
        pieces += 1
    if not holes:  # the check: bytearray(n - 32) is n bytes (object + data): n in one run
        try:
            r = bytearray(n - 32)
        except MemoryError:
            raise ValueError("ballast: %d bytes free, not in one run" % gc.mem_free())
        r = None
    gc.collect()
    free = gc.mem_free()
    # printed before the GET: the string is garbage by the time the GET allocates
    print('{"free":%d,"pieces":%d}' % (free, pieces))
    if free != n:
        raise ValueError("ballast left %d bytes free, not %d" % (free, n))
    mp_heap.run("heap_https" if case == "free_https" else "heap_get", client, a)
    if mods is not None:
        # [name, 1 if its code sits in the heap (.mpy or .py from a directory), 0 if frozen]
        print('{"loaded":[%s]}' % ",".join('["%s",%d]' % (m, code_in_heap(m)) for m in sys.modules if m not in mods))
    return chain  # the ballast stays alive until the GET is done


def code_in_heap(m):
    f = getattr(sys.modules[m], "__file__", "")
    return f.endswith(".mpy") or f[:1] == "/"


def main():
    # One JSON line at the end, as mp_bench prints it; exit 1 on failure.
    argv = sys.argv[1:]
    try:
        a = {}
        for kv in argv[2:]:
            k, _, v = kv.partition("=")
            a[k] = v
        run(argv[0], argv[1], a)  # the ballast goes with run()'s frame
        print('{"case":"%s","client":"%s","ok":true}' % (argv[0], argv[1]))
    except Exception as e:
        import json

        print(json.dumps({"case": argv[0] if argv else None, "client": argv[1] if len(argv) > 1 else None,
                          "ok": False, "error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(1)


if __name__ == "__main__":
    main()
