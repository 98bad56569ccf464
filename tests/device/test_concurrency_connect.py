# timeout: 120
# include: concurrency_support
# connectTimeout next to normal requests, and a failure right after the TCP connect, on
# MicroPython against the real peers (CFG is prepended by the runner): the connect
# scenarios of tests/host/test_concurrency.py (the others are in test_concurrency.py and
# test_concurrency_destroy.py: split so that each script leaves a 110k heap room for a
# request). Every scenario runs even when an earlier one fails; the failures are listed at
# the end (and then no OK).

# --- 4. connectTimeout next to a normal request ------------------------------------------------

@scenario
def connect_timeout_with_concurrent_requests():
    # only the request whose connect hangs fails with 2300028, at its connectTimeout (or its
    # readTimeout when shorter); requests that connected outlive connectTimeout and complete
    f0 = fds()
    with Stuck() as stuck:
        req, req2 = http.createHttp(), http.createHttp()
        jobs = [
            (req, stuck.url, {"connectTimeout": 300, "readTimeout": 5000}, 2300028, 300),
            (req, H + "/delay?ms=700", {"connectTimeout": 300, "readTimeout": 5000}, (200, "hello"), 700),
            (req2, stuck.url, {"connectTimeout": 5000, "readTimeout": 400}, 2300028, 400),
            (req2, H + "/delay?ms=500", {"connectTimeout": 200}, (200, "hello"), 500),
        ][:ROOM]

        async def main():
            return await asyncio.gather(*[timed(j[0].request(j[1], j[2])) for j in jobs])

        got = netstack.run(main())
        for (r, ms), j in zip(got, jobs):
            assert outcome(r) == j[3], (j[1], outcome(r), j[3])
            at_its_time(ms, j[4], j[1])
        a, b = int(get(H + "/conn", req).result), int(get(H + "/conn", req).result)
        if ROOM >= 2:  # the /delay connection was kept and is in sync
            assert a == 2 and b == 3, (a, b)
        assert settle() == 0, LIVE
        req.destroy()
        req2.destroy()
    assert fds() == f0, (f0, fds())  # the timed-out connects closed their sockets


@scenario
def out_of_memory_after_connect_closes_the_socket():
    # A heap with no free 4 KB block when the receive buffer is taken (_client._open, before
    # dialing) must fail the request with 2300027 and leave no socket open; MicroPython
    # sockets have no finaliser, so an unclosed one is an fd leaked for good.
    # Simulated by making _client._new_buf raise, as gc_alloc does then. The buffer is taken
    # first, so no connection is made at all.
    from netstack import _client
    from netstack import transport as stream
    made = []
    real_connect, real_new_buf = stream.connect, _client._new_buf

    async def connect(*a):
        c = await real_connect(*a)
        made.append(c)
        return c

    def no_block():
        raise MemoryError("memory allocation failed, allocating 4096 bytes")

    f0 = fds()
    stream.connect, _client._new_buf = connect, no_block
    try:
        req = http.createHttp()
        try:
            get(H + "/ok", req)
            out = "completed"
        except BusinessError as e:
            out = e.code
    finally:
        stream.connect, _client._new_buf = real_connect, real_new_buf
    req.destroy()
    left = [c for c in made if not c.closed]
    f1 = fds()
    for c in left:
        c.close()  # so the failure does not leak into what runs next
    assert (out, len(made), len(left), f1) == (2300027, 0, 0, f0), (
        "outcome", out, "connections", len(made), "left open", len(left), "fds", f0, f1)


gc.collect()
print("heap free at the end:", gc.mem_free())
if FAILED:
    print("FAILED:", " ".join(FAILED))
else:
    print("OK")
