# Speed cases for bench/mp_bench.py (small_new, small_reuse, bulk_cl, bulk_chunked).
# bulk_* take mode=stream | whole, and for raw only the information modes whole_alloc |
# stream_alloc (raw doing the allocations netstack.http's API makes; see raw_alloc_get).
#
# Every loop is bounded by count and by time. Timing uses time.ticks_us/ticks_diff and
# covers only the measured GETs: the imports and one warm-up GET (so that lazily loaded
# code is in) come first. A run counts only if every GET returned 200 with the expected
# body: the exact /small bytes, or the exact byte count for the bulk cases.
import time

HOST = "127.0.0.1"
SMALL = b"netstack-bench /small 0123456789abcdefghijklmnopqrstuvwxyz.........................................\n"
SMALL_STR = SMALL.decode()


def ok_small(body):
    # netstack.http gives a str for text/plain (or bytes with expectDataType ARRAY_BUFFER)
    if isinstance(body, str):
        return body == SMALL_STR
    return body == SMALL


# --- clients: each returns a callable doing one GET, plus a close --------------------------

def raw_new(port, path, buf):
    import raw_get

    def get():  # (as the other clients' get(): its frame within 11 words, see netstack_get)
        return raw_get.get(HOST, port, path, buf)
    return get, None


def raw_keep(port, path, buf):
    import raw_get
    c = raw_get.Client(HOST, port)

    def get():
        return c.get(path, buf)
    return get, c.close


def requests_get(url):
    import requests

    def get():
        r = requests.get(url)
        try:
            return r.status_code, r.content
        finally:
            r.close()
    return get


def netstack_mods():
    try:
        import netstack
        from netstack import http
        http.createHttp
    except Exception as e:  # ImportError, AttributeError while the library is unfinished
        raise RuntimeError("netstack.http not available: %s: %s" % (type(e).__name__, e))
    return netstack, http


def netstack_get(url, reuse, opts=None):
    netstack, http = netstack_mods()
    if opts is None:
        opts = {"method": "GET"}
    # get() has the shape of raw's (raw_new/raw_keep): no try block. A try/finally here
    # made its frame too big for MicroPython's C stack (over 11 words): allocated on the
    # heap every GET, low in a 2 MB heap, and freed after it, which sent the allocator's
    # search for every larger block in the next GET back over the heap (~125k instructions
    # per reused GET, callgrind). A failed GET ends the run anyway.
    if reuse:
        req = http.createHttp()

        def get():
            resp = netstack.run(req.request(url, opts))
            return resp.responseCode, resp.result
        return get, req.destroy

    # (create and run as closure cells of their own: with the modules as cells the frame
    # was 12 words, allocated on the heap every GET, as raw_new's get() was; ~130k
    # instructions per new-connection GET, all of it in the allocator)
    create, run = http.createHttp, netstack.run

    def get_new():
        req = create()
        resp = run(req.request(url, opts))
        req.destroy()
        return resp.responseCode, resp.result
    return get_new, None


# --- cases ---------------------------------------------------------------------------------

def case_small(client, a, reuse):
    n = int(a.get("n", 300))
    limit_us = int(float(a.get("limit", 20)) * 1000000)
    port = int(a["port"])
    url = "http://%s:%d/small" % (HOST, port)
    buf = bytearray(1024)
    note = None
    close = None
    if client == "raw":
        if reuse:
            get, close = raw_keep(port, "/small", buf)
            note = "one keep-alive socket (raw_get.Client)"
        else:
            get, close = raw_new(port, "/small", buf)
    elif client == "requests":
        get = requests_get(url)
        if reuse:
            note = "requests has no keep-alive: every GET opens a new connection (HTTP/1.0, Connection: close)"
    elif client == "netstack":
        get, close = netstack_get(url, reuse)
        if reuse:
            note = "one HttpRequest for every request()"
        else:
            note = "createHttp() + request() + destroy() per GET"
    else:
        raise ValueError("unknown client " + client)

    def check(st, body):
        if st != 200:
            raise ValueError("status %r" % (st,))
        if client == "raw":
            if body != len(SMALL) or buf[: len(SMALL)] != SMALL:
                raise ValueError("wrong body")
        elif not ok_small(body):
            raise ValueError("wrong body " + ("%r" % (body,))[:60])

    try:
        check(*get())  # warm-up, not timed
        ticks_us, ticks_diff = time.ticks_us, time.ticks_diff
        done = 0
        t0 = ticks_us()
        for _ in range(n):
            check(*get())
            done += 1
            if ticks_diff(ticks_us(), t0) > limit_us:
                break
        dt = ticks_diff(ticks_us(), t0)
    finally:
        if close is not None:
            close()
    r = {"n": done, "seconds": dt / 1e6, "per_sec": done * 1e6 / dt}
    if done < n:
        r["truncated"] = "time limit after %d of %d" % (done, n)
    if note:
        r["note"] = note
    return r


def case_bulk(client, a, chunked):
    size = int(a.get("n", 10485760))
    chunk = int(a.get("chunk", 16384))
    mode = a.get("mode", "stream")
    lend = 0
    if mode == "lend":  # netstack's zero-copy stream (option streamBuffer); the others stream
        lend = int(a.get("lend", 65536))
        mode = "stream"
    port = int(a["port"])
    if chunked:
        path = "/chunked?n=%d&chunk=%d" % (size, chunk)
    else:
        path = "/big?n=%d" % size
    url = "http://%s:%d%s" % (HOST, port, path)
    small_url = "http://%s:%d/small" % (HOST, port)
    ticks_us, ticks_diff = time.ticks_us, time.ticks_diff
    note = None
    extra = None
    if client == "raw" and mode in ("whole_alloc", "stream_alloc"):
        # information rows, not targets: the allocations happen inside the timed part
        import raw_get
        import gc
        whole = mode == "whole_alloc"
        raw_get.get(HOST, port, "/small", bytearray(256))
        # the piece netstack's _piece_size() picks here: a quarter of the free heap, at most
        # 512 KiB (~480 KiB at the 2m speed heap); no gc.collect(), as netstack's row has none
        piece = min(gc.mem_free() >> 2, 524288)
        t0 = ticks_us()
        st, got, note = raw_alloc_get(port, path, whole, piece, size + 1)
        dt = ticks_diff(ticks_us(), t0)
        if not whole:
            extra = {"piece": piece}
    elif client == "raw":
        import raw_get
        if mode == "whole":
            buf = bytearray(size)  # the whole body in one preallocated buffer
            note = "readinto one preallocated bytearray(n)"
        else:
            buf = bytearray(16384)
            note = "readinto a 16 KiB buffer, counted"
        raw_get.get(HOST, port, "/small", bytearray(256))
        t0 = ticks_us()
        st, got = raw_get.get(HOST, port, path, buf)
        dt = ticks_diff(ticks_us(), t0)
    elif client == "requests":
        import requests
        requests.get(small_url).close()
        if mode == "whole":
            note = "Response.content"
            t0 = ticks_us()
            r = requests.get(url)
            st = r.status_code
            got = len(r.content)
            dt = ticks_diff(ticks_us(), t0)
            r.close()
        else:
            note = "stream=True, Response.raw.readinto a 16 KiB buffer, counted"
            buf = bytearray(16384)
            t0 = ticks_us()
            r = requests.get(url, stream=True)
            st = r.status_code
            raw = r.raw
            got = 0
            for _ in range(size // len(buf) + 2):  # bounded: the body is `size` bytes
                k = raw.readinto(buf)
                if not k:
                    break
                got += k
            dt = ticks_diff(ticks_us(), t0)
            r.close()
    elif client == "netstack":
        netstack, http = netstack_mods()
        warm = http.createHttp()
        if mode == "whole":
            netstack.run(warm.request(small_url, {"method": "GET"}))
        else:
            # the warm-up streams too (through a lent buffer when the row lends one): the
            # stream reader and the event wiring load at the first stream (~0.5 ms from
            # .mpy, 7% of a 10 MiB row), which is not the transfer rate this row measures
            w = {"method": "GET"}
            if lend:
                w["streamBuffer"] = bytearray(256)
            warm.on("dataReceive", len)
            netstack.run(warm.requestInStream(small_url, w))
        warm.destroy()
        req = http.createHttp()
        if mode == "whole":
            note = "request() with maxLimit=n, expectDataType ARRAY_BUFFER"
            try:
                array_buffer = http.HttpDataType.ARRAY_BUFFER
            except AttributeError:
                array_buffer = 2  # OpenHarmony's value
            opts = {"method": "GET", "maxLimit": size + 1, "expectDataType": array_buffer}
            t0 = ticks_us()
            resp = netstack.run(req.request(url, opts))
            dt = ticks_diff(ticks_us(), t0)
            st = resp.responseCode
            got = len(resp.result)
        else:
            note = "requestInStream(), dataReceive listener counting bytes"
            opts = {"method": "GET"}
            if lend:  # allocated before the timer, as a caller lends it
                opts["streamBuffer"] = bytearray(lend)
                note += "; streamBuffer: a lent bytearray(%d), views of it" % lend
            count = [0]

            def on_data(data):
                count[0] += len(data)
            req.on("dataReceive", on_data)
            t0 = ticks_us()
            st = netstack.run(req.requestInStream(url, opts))
            dt = ticks_diff(ticks_us(), t0)
            got = count[0]
        req.destroy()
    else:
        raise ValueError("unknown client " + client)
    if st != 200:
        raise ValueError("status %r" % (st,))
    if got != size:
        raise ValueError("got %d bytes of %d" % (got, size))
    r = {"bytes": got, "seconds": dt / 1e6, "mb_per_s": got / dt, "mode": mode, "note": note}
    if extra:
        r.update(extra)
    return r


def raw_alloc_get(port, path, whole, piece, limit):
    # raw_get.get (same request, head parsing and read calls) doing the allocations
    # netstack.http's API makes, all inside the caller's timer -> (status, bytes, note).
    # whole: Content-Length: the head is parsed first, then bytearray(Content-Length), read
    #        into as raw_get does; chunked (no length up front): a buffer grown as
    #        netstack's _client._grow grows it: in place (bytearray.extend: gc_realloc takes
    #        the blocks after it), by up to 4 KiB at a time (the filler from a 4 KiB buffer,
    #        as netstack's from its receive buffer), doubled from 64 KiB on; capped
    #        at limit (the maxLimit netstack's whole-body row is given).
    # not whole: every piece is read into a new bytearray of min(piece, what the framing
    #        says is still to come), as requestInStream hands each dataReceive listener a
    #        new one: piece-sized for Content-Length, one per 16 KiB chunk for chunked.
    import raw_get
    s = raw_get._connect(HOST, port, None)
    try:
        s.write(b"GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n" % (path, HOST, port))
        r = raw_get._Reader(s)
        i = r.until(b"\r\n\r\n")
        b = r.b
        status = int(b[r.a + 9 : r.a + 12])
        head = bytes(b[r.a : i]).lower()
        r.a = i + 4
        body = raw_get._body
        if b"\r\ntransfer-encoding:" in head and b"chunked" in head:
            buf = bytearray() if whole else None
            fill = memoryview(bytearray(4096)) if whole else None  # (netstack's receive buffer)
            total = 0
            for _ in range(raw_get._MAX_CHUNKS):
                j = r.until(b"\r\n")
                k = r.b.find(b";", r.a, j)
                size = int(bytes(b[r.a : j if k < 0 else k]), 16)
                r.a = j + 2
                if not size:
                    for _ in range(64):  # trailer section: header lines up to an empty line
                        j = r.until(b"\r\n")
                        empty = j == r.a
                        r.a = j + 2
                        if empty:
                            if whole:
                                note = "chunked: buffer grown in place (cap %d), final %d" % (limit, len(buf))
                            else:
                                note = "chunked: a new bytearray per chunk, at most %d bytes each" % piece
                            return status, total, note
                    raise ValueError("trailer too long")
                if whole:
                    need = total + size
                    if need > len(buf):
                        if need > limit:
                            raise ValueError("body exceeds %d" % limit)
                        while len(buf) < need:
                            if len(buf) >= 65536:
                                buf.extend(buf)
                            else:
                                buf.extend(fill[: min(len(fill), need - len(buf))])
                    body(r, memoryview(buf)[total:need], size)
                else:
                    left = size
                    while left:
                        n = piece if left > piece else left
                        body(r, bytearray(n), n)
                        left -= n
                total += size
                r.until(b"\r\n")
                r.a += 2
            raise ValueError("too many chunks")
        i = head.find(b"\r\ncontent-length:")
        if i < 0:
            raise ValueError("no length")
        j = head.find(b"\r\n", i + 2)
        length = int(head[i + 17 : j if j > 0 else len(head)])
        if whole:
            body(r, bytearray(length), length)  # allocated once the head gave the length
            return status, length, "head parsed, then bytearray(Content-Length) read into"
        left = length
        while left:
            n = piece if left > piece else left
            body(r, bytearray(n), n)
            left -= n
        return status, length, "a new bytearray per piece of %d bytes" % piece
    finally:
        s.close()


def run(case, client, a):
    if case == "small_new":
        return case_small(client, a, False)
    if case == "small_reuse":
        return case_small(client, a, True)
    if case == "bulk_cl":
        return case_bulk(client, a, False)
    if case == "bulk_chunked":
        return case_bulk(client, a, True)
    raise ValueError("unknown case " + case)
