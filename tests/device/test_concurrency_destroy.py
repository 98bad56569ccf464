# timeout: 120
# include: concurrency_support
# destroy() with requests in flight, on MicroPython against the real peers (CFG is
# prepended by the runner): the destroy scenarios of tests/host/test_concurrency.py (the
# others are in test_concurrency.py and test_concurrency_connect.py: split so that each
# script leaves a 110k heap room for a request). Every scenario runs even when an earlier
# one fails; the failures are listed at the end (and then no OK).

def destroy_later(req, ms, mark):
    async def kill():
        await asyncio.sleep_ms(ms)
        mark.append(time.ticks_ms())
        req.destroy()
    return asyncio.create_task(kill())


def after(t, mark):
    return time.ticks_diff(t, mark) > 0


@scenario
def destroy_in_flight_awaitable():
    # requests in flight (one of them still connecting) when destroy() runs: each fails
    # with 2300023 right away, no event fires after it, heap and fds back at the baseline,
    # later requests fail at once
    f0 = fds()
    settle()
    gc.collect()
    base = heap_free()
    with Stuck() as stuck:
        req = http.createHttp()
        ev, mark = [], []
        for name in ("headersReceive", "dataReceive", "dataEnd"):
            req.on(name, lambda *a: ev.append(time.ticks_ms()))
        jobs = [(req.request, H + "/silence", {"readTimeout": 5000}),
                (req.request, stuck.url, {"connectTimeout": 5000}),
                (req.requestInStream, H + "/drip?ms=20", {"readTimeout": 5000}),
                (req.request, H + "/delay?ms=3000", {"readTimeout": 5000})][:ROOM]

        async def main():
            destroy_later(req, 300, mark)
            return await asyncio.gather(*[timed(j[0](j[1], j[2])) for j in jobs])

        got = netstack.run(main())
        for r, ms in got:
            assert outcome(r) == 2300023, outcome(r)
            at_its_time(ms, 300, "destroy")
        assert ev or ROOM < 3, "the drip stream sent no head"
        assert not [t for t in ev if after(t, mark[0])], "event after destroy()"
        netstack.run(nap(200))
        assert not [t for t in ev if after(t, mark[0])], "event after destroy()"
        assert req._pool.conn is None and settle() == 0, LIVE
        try:
            get(H + "/ok", req)
            raise AssertionError("a destroyed HttpRequest made a request")
        except BusinessError as e:
            assert e.code == 2300023, e.code
        got = r = req = main = ev = mark = jobs = None
    stuck = None
    gc.collect()
    leak = base - heap_free()
    print("destroy with %d in flight: heap %d bytes below baseline, fds %s -> %s" % (ROOM, leak, f0, fds()))
    assert leak < 2048, leak
    assert fds() == f0, (f0, fds())


@scenario
def destroy_in_flight_callbacks():
    f0 = fds()
    settle()
    gc.collect()
    base = heap_free()
    req = http.createHttp()
    got, mark, ev = [], [], []
    req.on("dataReceive", lambda b: ev.append(time.ticks_ms()))
    jobs = [(req.request, "/silence"), (req.requestInStream, "/drip?ms=20"),
            (req.request, "/delay?ms=3000"), (req.request, "/drip?ms=20")][:ROOM]
    bound = {"readTimeout": 3000}  # a destroy() that cancels nothing fails in 3 s, not 60
    for i in range(len(jobs)):
        jobs[i][0](H + jobs[i][1], bound, lambda e, r, i=i: got.append((i, e and e.code, r)))
    destroy_later(req, 250, mark)
    t0 = time.ticks_ms()
    netstack.run()
    assert ms_since(t0) < 250 + MARGIN, ms_since(t0)
    assert sorted(got) == [(i, 2300023, None) for i in range(len(jobs))], got
    assert ev or ROOM < 2, "the drip stream sent nothing"
    assert not [t for t in ev if after(t, mark[0])], "event after destroy()"
    netstack.run(nap(200))
    assert len(got) == len(jobs) and not [t for t in ev if after(t, mark[0])] and _aw._busy == 0
    assert settle() == 0, LIVE
    req = got = ev = mark = jobs = None
    gc.collect()
    leak = base - heap_free()
    print("destroy with %d callbacks in flight: heap %d bytes below baseline, fds %s -> %s" % (ROOM, leak, f0, fds()))
    assert leak < 2048, leak
    assert fds() == f0, (f0, fds())


@scenario
def destroy_before_a_callback_request_starts():
    req = http.createHttp()
    got = []
    req.request(H + "/ok", lambda e, r: got.append((e and e.code, r)))
    req.destroy()  # the request's task has not run yet
    netstack.run()
    assert got == [(2300023, None)], got


@concurrent
def destroy_from_a_listener_fails_the_other_requests():
    # destroy() inside a listener runs in the task of the request that emitted the event;
    # the other requests in flight must still fail with 2300023, and destroy() must not
    # raise. The emitting request starts first: its task is first in HttpRequest._running.
    req = http.createHttp()
    got, errors = [], []

    def on_head(h):
        try:
            req.destroy()
        except Exception as e:
            errors.append("%s: %s" % (type(e).__name__, e))
    req.on("headersReceive", on_head)
    req.requestInStream(H + "/drip?ms=20", lambda e, r: got.append(("drip", e and e.code)))
    req.request(H + "/silence", {"readTimeout": 1500}, lambda e, r: got.append(("silence", e and e.code)))
    t0 = time.ticks_ms()
    netstack.run()
    took = ms_since(t0)
    assert errors == [], errors
    assert sorted(got) == [("drip", 2300023), ("silence", 2300023)], got
    assert took < 1000, took


def destroy_from_own_listener(style):
    # destroy() inside headersReceive of the only request in flight: BusinessError 2300023
    # (docs/http.md: in-flight requests fail), and the destroyed HttpRequest keeps no
    # connection open (MicroPython sockets have no finaliser: it would leak an fd)
    f0 = fds()
    req = http.createHttp()
    errors = []

    def on_head(h):
        try:
            req.destroy()
        except Exception as e:
            errors.append("%s: %s" % (type(e).__name__, e))
    req.on("headersReceive", on_head)
    if style == "await":
        try:
            netstack.run(req.request(H + "/ok"))
            out = "completed"
        except BusinessError as e:
            out = e.code
        except BaseException as e:
            out = type(e).__name__
    else:
        got = []
        req.request(H + "/ok", lambda e, r: got.append(e.code if e else "completed"))
        netstack.run()
        assert len(got) == 1, got
        out = got[0]
    pooled = req._pool.conn is not None
    req = None
    gc.collect()
    assert (out, errors, pooled, fds()) == (2300023, [], False, f0), (
        "outcome", out, "destroy() raised", errors, "connection kept", pooled, "fds", f0, fds())


@scenario
def destroy_from_own_listener_await():
    destroy_from_own_listener("await")


@scenario
def destroy_from_own_listener_callback():
    destroy_from_own_listener("callback")


gc.collect()
print("heap free at the end:", gc.mem_free())
if FAILED:
    print("FAILED:", " ".join(FAILED))
else:
    print("OK")
