# The HTTP/1.1 exchange engine under both `http` and `fetch`: connect (or reuse the idle
# keep-alive connection), send, read heads and bodies through proto/http1, follow
# redirects, decode gzip/deflate. It knows nothing of OpenHarmony option names: the
# facades fill an Exchange and get (status, headers, body) back.
from .proto import RecvBuf
from . import _port

# The spare receive buffer (_new_buf) is made first, before the engine's own objects: the
# heap above the program's objects is then still in one piece. Made at the first request
# instead, at the smallest heaps it found only the holes the import left (15 KB free, none
# of 1 KB). Every request keeps one spare after it anyway. 4 KB (BUF_SIZE), or 1 KB when
# the heap has under 48 KB free: heads and framing pass through it (a bigger head grows
# it), whole bodies go straight into their result. A 1 KB one serves the first connection
# only (_recycle keeps BUF_SIZE ones), later ones get 4 KB where the heap has a block.
try:
    _spare = _port.mem_free()  # None: no bound (CPython)
    _spare = RecvBuf(1024 if _spare is not None and _spare < 49152 else 4096)
except MemoryError:
    _spare = None
import time
from ._err import BusinessError
from . import _aw, _err  # _err: also the log lines (netstack._log)
from .proto import http1, http1body, ProtoError
from . import transport

from micropython import const
from time import ticks_ms  # (after micropython: the CPython shim adds it; a global is one
# lookup a call, time.ticks_ms two)

_E_UNSUPPORTED = const(2300001)
_E_BAD_RESPONSE = const(2300008)
_E_TOO_BIG = const(2300023)
_E_OOM = const(2300027)
_E_NOTHING = const(2300052)
_E_SEND = const(2300055)
_E_RECV = const(2300056)
_E_PIN = const(2300090)

# proto.http1body's framing kinds, compiled in (a module attribute is two lookups a use)
_NONE = const(0)
_LENGTH = const(1)
_CLOSE = const(3)

# Sizes (const, underscored: compiled in, no global names to keep in RAM)
BUF_SIZE = 4096                # per-connection receive buffer (tests change it)
_HEAD_LIMIT = const(8192)      # default response-head bound (option maxHeadSize): the buffer
                               # grows up to it for a big head (a 6 KiB Set-Cookie), only then
_MAX_IDLE = const(2)           # idle keep-alive connections open at once, across HttpRequests
_DOUBLE = const(65536)         # a body of unknown length this big grows by doubling (_grow)


class Exchange:
    """One request as the engine sees it: every field is declared here, engine's and
    facades' alike. Facades set the fields, then call perform(). Defaults are class
    attributes: a request sets only what differs (cheaper, smaller)."""

    headers = ()             # [(lower-case name, str value)] from the user
    body = None              # bytes/bytearray/memoryview, or a list of such pieces
    max_limit = 5 * 1024 * 1024   # None: no bound (streaming)
    max_redirects = 30
    connect_timeout = 60000
    decode = False           # decode gzip/deflate bodies (set when the user asked for them
                             # with an Accept-Encoding header: inflating needs a window,
                             # up to 32 KB: _inflate)
    ca = None                # list of DER certificates to trust, or None: port default
    ca_path = None           # or a CA file / PEM text, read when a TLS connection opens
    ca_data = None
    verify = True
    client_cert = None       # (cert DER, key DER)
    sni = None
    pins = None              # [base64 sha256 of SPKI]
    proxy = None             # (host, port, 'user:pass' or None)
    auth = None              # (user, password, 'basic'|'digest'|None=any)
    cookies = None           # CookieJar, or None
    on_head = None           # (status, headers, content length or 0) per head (every hop)
    on_data = None           # (bytearray piece) when streaming; None: collect the body
    lent = None              # streaming into the caller's buffer (option streamBuffer, a
                             # memoryview): on_data gets views of it, valid during the call
    on_sent = None           # (sent, total) upload progress
    redirects = 0
    timed_out = False        # set by the readTimeout / connectTimeout watchdogs (_aw.watch)
    dog = None               # the read_timeout watchdog once armed (arm(): at the first wait
                             # that lets other tasks run; a facade may arm it before perform)
    connect_timed_out = False
    pin_failed = None        # [message] from the pin hook (transport.pin) on a mismatch
    head_limit = _HEAD_LIMIT  # largest response head accepted, in bytes (option maxHeadSize)
    revalidating = False     # set by the response cache when it added If-None-Match /
                             # If-Modified-Since: a 304 head is not passed to on_head
    read_timeout = 60000     # ms from the start (timing[0]) within which the watchdog (dog,
                             # flag timed_out) ends the whole exchange: http readTimeout,
                             # fetch's fixed bound; 0: none. A connect timeout that would end
                             # later gets no watchdog of its own (_open)
    # the facades' own (the engine does not read them)
    use_cache = True         # http usingCache (a running HttpResponseCache answers)
    expect = None            # http expectDataType
    rtype = None             # fetch responseType
    total = 0                # http progress: Content-Length of the current head, bytes so far
    got = 0

    def __init__(self, method, url):
        self.method = method
        self.url = self.url_final = url
        # ticks_ms marks: start, dns, tcp, tls, sent, first byte, head, end, last redirect
        self.timing = [0] * 9


def arm(x):
    """The exchange's watchdog, once, before a wait that lets other tasks run: it cancels
    the task read_timeout ms after timing[0] and sets timed_out. (Not armed up front: a
    reused connection's GET whose response comes while it blocks in _port.wait_now never
    lets the event loop run, and its deadline bounds that wait; a task queued and taken off
    per request was ~14k instructions.)"""
    if x.dog is None and x.read_timeout:
        x.dog = _aw.watch(x.read_timeout - time.ticks_diff(ticks_ms(), x.timing[0]), x,
                          "timed_out")


# The response cache's hook, the one way it enters the engine: while an HttpResponseCache
# runs, netstack._cache sets this to it; http then calls cache.perform(x, pool) (same
# contract as perform) for requests that may use it.
cache = None


class Pool:
    """The one idle keep-alive connection an HttpRequest keeps between its requests.
    Idle connections are also listed in _idle, and closed when any request dials a new
    connection (and beyond _MAX_IDLE): a program that makes a new HttpRequest per request
    and never destroy()s it would otherwise leave a socket open per request (MicroPython's
    unix port does not close a socket when it is collected), and on a small heap the old
    connection's objects and TLS session are freed before the new ones are made."""

    def __init__(self):
        self.key = None
        self.conn = None
        self.rb = None
        self.dead = False  # HttpRequest.destroy(): put() closes instead of keeping

    def take(self, key):
        c = self.conn
        self.conn = None
        rb, self.rb = self.rb, None
        if c is not None:
            if c in _idle:
                _idle[_idle.index(c)] = None
            if self.key == key and not c.closed:
                return c, rb
            c.close()
            _recycle(rb)
        return None, None

    def put(self, key, conn, rb):
        if self.conn is not None:
            self.close()
        if self.dead or rb.end > rb.start:  # bytes past the response: not a connection to reuse
            conn.close()
            _recycle(rb)
            return
        self.key, self.conn, self.rb = key, conn, rb
        # the registry holds the connection, not this Pool: a dropped HttpRequest's Pool
        # is collected, and its connection is closed when a newer one goes idle
        i = _idle.index(None) if None in _idle else 0
        old = _idle[i]
        if old is not None:
            old.close()
            del _idle[i]
            _idle.append(None)
            i = len(_idle) - 1
        _idle[i] = conn

    def close(self):
        c = self.conn
        if c is not None:
            self.conn = None
            if c in _idle:
                _idle[_idle.index(c)] = None
            c.close()
            _recycle(self.rb)
            self.rb = None


_idle = [None] * _MAX_IDLE  # their Conns (fixed size: nothing allocated per request)


# One spare receive buffer (_spare, made at the top): a closed connection leaves its 4 KB
# there for the next one, so a run of requests does not fragment a small heap with a new
# block each time.


def _new_buf():
    global _spare
    rb, _spare = _spare, None
    if rb is None:
        try:
            return RecvBuf(BUF_SIZE)
        except MemoryError:  # no such block in a tight heap: a small one (a big head grows it)
            return RecvBuf(1024)
    rb.start = rb.end = rb.scan = 0
    return rb


def _recycle(rb):
    global _spare
    if rb is not None and len(rb.buf) == BUF_SIZE:  # not a small one, nor one grown for a big head
        _spare = rb


# (The empty memos are one tuple: each tuple literal is an object on the heap)
_hmemo = _memo = _fmemo = (None, None)
# _hmemo: the last plain GET's URL and head: a device polling one URL builds it once (each
# new str costs an intern-table search); _memo: the last URL split, parsed once likewise
_rmemo = (None, None, 0)  # the last final response head's bytes (up to 512), its parse and
# its length: the same head again (a device polling one URL, a server without a Date line)
# is not parsed again
# _fmemo: (its header list, method, framing kind, length, close): nor framed again
_rsize = 0  # bytes the last response took in all when its body came with its head (0: none)
_dirty = 0  # 1: the last body grew (_collect)



def split(u):
    """proto.http1.split_url + the Host value, with a one-entry memo (an immutable tuple)."""
    global _memo
    m = _memo
    if m[0] == u:
        return m[1]
    p = http1.split_url(u)
    p += (http1.host_header(p[1], p[2], p[0]),)  # and the Host header value
    _memo = (u, p)
    return p


async def perform(x, pool):
    """Run the exchange; -> (status, reason, headers, body bytes or None). Errors are
    BusinessErrors with http codes. (One coroutine, no wrapper around another: each awaited
    call costs MicroPython a heap-allocated frame per request.)"""
    global _hmemo, _fmemo, _rsize, _rmemo
    if _dirty:  # (see _collect)
        _collect(0)
    try:
        x.timing[0] = ticks_ms()
        method = x.method
        body = x.body
        auth_tried = None  # the Authorization value prepared from a 401 challenge
        while True:
            m = _memo  # (split()'s memo looked at here: a call fewer for the same URL)
            scheme, host, port, target, userinfo, hh = m[1] if m[0] == x.url_final else split(x.url_final)
            if scheme != "http" and scheme != "https":
                raise BusinessError(_E_UNSUPPORTED, 22, scheme)  # unsupported scheme '%s'
            key = (scheme, host, port, x.proxy, x.ca_path, x.ca_data, id(x.ca) if x.ca else None,
                   x.verify, x.pins)
            conn, rb = pool.take(key) if pool is not None else (None, None)
            reused = conn is not None
            if _err.on:
                _err.log(method, x.url_final, "reuse" if reused else "")
            if not reused:
                conn, rb = await _open(x, scheme, host, port)
            try:
                if body is None and not x.headers and x.proxy is None and x.auth is None and \
                        x.cookies is None and not userinfo and not auth_tried and \
                        (method == "GET" or method in http1._NAMES):
                    # The everyday request head (no user header, body, credentials, cookies
                    # or proxy), as _clientx.request_head would build it, in one format.
                    # Method, target and Host value were checked before (a method other
                    # than GET by an earlier request: http1._NAMES; the others with the URL).
                    head = _hmemo
                    if head[0] != x.url_final or method != "GET":
                        head = ("%s %s HTTP/1.1\r\nhost: %s\r\nuser-agent: netstack-mpy/0.1\r\n"
                                "accept: */*\r\n\r\n" % (method, target, hh)).encode()
                        if method == "GET":
                            _hmemo = (x.url_final, head)
                    else:
                        head = head[1]
                else:  # user headers, a body, credentials, cookies or a proxy: _clientx
                    from ._clientx import request_head as f  # (f: every lazily imported
                    # function here: a local each would make this coroutine's frame bigger)
                    head = f(x, method, scheme, hh, host, target, body, userinfo, auth_tried)
                try:
                    status, reason, close, headers = await _send_and_head(x, conn, rb, head, body)
                except BusinessError as e:
                    if not reused or (e.code != _E_SEND and e.code != _E_NOTHING and
                                      e.code != _E_RECV):  # (no tuple constant: heap)
                        raise
                    # The idle connection died while we were away: once more on a fresh one.
                    conn.close()
                    _recycle(rb)
                    conn = rb = None
                    conn, rb = await _open(x, scheme, host, port)
                    status, reason, close, headers = await _send_and_head(x, conn, rb, head, body)
                m = _rmemo
                if m[0].__class__ is int:  # a new head's bytes, still in rb: copied for the
                    # memo here, once _send_and_head's frame is gone (the GET's heap peaked
                    # at its parse with the copy made there: bench/ram.py, ~200 B)
                    _rmemo = (bytes(rb.mv[m[0]:m[0] + m[2]]), m[1], m[2])
                x.timing[6] = ticks_ms()
                m = _fmemo
                if m[0] is headers and m[1] == method:  # the last response's head again
                    kind, length, close = m[2], m[3], m[4]
                else:  # (close: the minor version until here)
                    kind, length = http1body.response_framing(method, status, headers)  # validates first
                    close = close != 1 or http1.has_token(headers, "connection", "close")
                    _fmemo = (headers, method, kind, length, close)
                if x.cookies is not None:
                    x.cookies.take(headers, host, target)
                if _err.on:
                    _err.log("status", status, reason, "(%s)" % ("reused" if reused else "new"))
                if x.on_head is not None and not (status == 304 and x.revalidating):
                    x.on_head(status, headers, length if kind == _LENGTH else 0)
                loc = http1.header(headers, "location") if 300 < status < 309 else None
                follow = loc is not None and not 303 < status < 307 and x.max_redirects > 0  # (loc:
                # 300 < status < 309, so 301-303, 307, 308; no tuple constant, a heap object)
                answer = None
                if status == 401 and x.auth is not None and not auth_tried:
                    from . import _auth
                    answer = _auth.challenge(x, headers, method, target)
                data = None
                if follow or answer:  # a small body read and dropped to keep the connection
                    from ._clientx import drain as f
                    arm(x)
                    keep = await f(conn, rb, http1body.BodyReader(kind, length), length)
                else:
                    if kind == _LENGTH and length <= rb.end - rb.start and x.on_data is None \
                            and not x.decode and (x.max_limit is None or length <= x.max_limit):
                        # the whole body came with the head (a small response): no reader
                        m = rb.start
                        data = rb.buf[m:m + length]  # (a bytearray's slice: a new bytearray)
                        rb.consume(length)
                        _rsize = m + length  # (the head began at 0: rb was empty, see space())
                    else:
                        data = await _read_body(x, conn, rb, kind, length, headers)
                    x.timing[7] = ticks_ms()
                    keep = True
                keep = keep and kind != _CLOSE and not close
                if pool is not None and keep:
                    pool.put(key, conn, rb)
                else:
                    if _err.on:
                        _err.log("close", host, port)
                    conn.close()
                    _recycle(rb)
                conn = None
            finally:
                if conn is not None:
                    conn.close()
                    _recycle(rb)
            if answer:
                auth_tried = answer
                continue
            if not follow:
                return status, reason, headers, data
            from ._clientx import redirect as f
            loc, m = f(x, status, loc, method)  # (loc: the next URL)
            if m is not None:  # becomes a GET (HEAD stays HEAD), without the body
                method = m
                body = None
            if split(loc)[1] != host:
                auth_tried = None  # credentials are not sent on to another host
            x.url_final = loc
    except ProtoError as e:
        from ._clientx import http_error as f
        raise f(e)


async def _open(x, scheme, host, port):
    """A fresh connection (through the proxy if any), TLS started when https."""
    arm(x)
    tls = scheme == "https"
    for i in range(_MAX_IDLE):  # other HttpRequests' idle connections go first (see Pool)
        c = _idle[i]
        if c is not None:
            _idle[i] = None
            c.close()
    rb = None
    p = x.proxy

    def mark(st):  # resolved: the dns timing mark, connected: tcp
        if st < 2:
            x.timing[st + 1] = ticks_ms()

    ct = x.connect_timeout
    rt = x.read_timeout  # the facade's watchdog ends the exchange by then (see Exchange)
    if rt and ct >= rt - time.ticks_diff(ticks_ms(), x.timing[0]):
        ct = 0  # that one fires first: no connect watchdog (a task per dial, ~14k instructions)
    dog = _aw.watch(ct, x, "connect_timed_out") if ct else None
    try:
        ctx = None
        if tls:  # the TLS context (one ~3 KB block) before the buffer: on a small heap it
            # takes the block the idle connections closed above freed (transport.tls.new)
            from . import _tls
            ctx = _tls.context(x)
        rb = _new_buf()
        if p is None:
            conn = await transport.dial(host, port, ctx, x.sni, mark)
        else:  # through a proxy (a CONNECT tunnel for https): transport.tunnel, loaded then
            from .transport.tunnel import dial
            conn = await dial(host, port, ctx, x.sni, p, rb, mark)
        if tls:
            x.timing[3] = ticks_ms()
        return conn, rb
    except BaseException as e:  # a bad CA, a refused tunnel, a timeout: nothing leaks
        _recycle(rb)
        from ._clientx import open_error
        raise open_error(e, x, host, port)
    finally:
        if dog is not None:
            _aw.unwatch(dog, x, "connect_timed_out")




async def _send_and_head(x, conn, rb, head, body):
    # (its frame is a heap block allocated per request, at the GET's peak: few locals, the
    # lazily imported functions all as f, a body sent by _clientx.send_body)
    global _rmemo
    try:
        w = conn.write_now(head)  # no coroutine when the socket takes it all (a head does)
        if w is None:
            arm(x)
            await conn.write(head)
        elif w is not True:  # the rest (a TLS handshake first): it holds the writers' turn
            arm(x)
            try:
                await w
            finally:
                conn._next()
        if body is not None:  # (_clientx made the head of a request with a body)
            arm(x)
            from ._clientx import send_body as f
            await f(x, conn, body)
    except OSError as e:
        from ._clientx import io_error as f
        raise f(conn, e, _E_SEND, x)
    except ValueError as e:  # MicroPython's mbedTLS verify text (_tls.verify_error)
        from ._tls import verify_error as f
        raise f(str(e).strip())
    x.timing[4] = ticks_ms()
    # then one final response head (1xx interim heads are skipped)
    try:
        got = new = rb.end > rb.start  # new: bytes not parsed yet (none on a fresh request)
        while True:
            if new:
                m = _rmemo
                s = rb.start
                k = s + m[2]  # (len() is a builtin: ~1k instructions to find by name)
                if k <= rb.end and m[1] is not None and rb.buf.find(m[0], s, k) == s:
                    # the same head bytes as the last response (a device polling one
                    # URL): its parse again, without parsing (one memcmp)
                    rb.consume(k - s)
                    return m[1]  # (the same tuple and header list: nobody changes them)
                k = rb.end
                try:
                    h = http1.parse_response_head(rb)
                except ProtoError as e:  # a head bigger than the buffer: a bigger one, or e
                    from ._clientx import big_head as f
                    arm(x)
                    await f(conn, rb, e, x.head_limit)
                    continue
                if h is not None:
                    if h[0] < 200:
                        if h[0] != 101:  # (an interim head: skipped)
                            continue
                    elif (rb.start or k) - s <= 512:  # (consume() zeroes both when all went)
                        k = rb.start or k
                        _rmemo = (s, h, k - s)  # (perform copies the bytes: see there)
                    return h
            if got or not _rsize:
                mv = rb.space()
                if not mv:
                    raise BusinessError(_E_BAD_RESPONSE, 23, len(rb.buf))  # response head larger than %d bytes
            else:  # (rb is empty, so start and end are 0: consume() and _new_buf() see to it)
                # at most what the last response took in all: MicroPython's readinto reads
                # until the view is full or the socket has nothing more, so a view bigger
                # than the response costs one more read (a system call saying EAGAIN)
                mv = rb.mv[:_rsize]  # (clamped to the buffer when bigger)
            n = conn.read_now(mv)
            if n is None:  # nothing yet: wait (no coroutine per read)
                w = x.read_timeout  # (up to its deadline; readTimeout 0: the loop's way)
                if not (w and _port.wait_now(conn.s, w - time.ticks_diff(ticks_ms(), x.timing[0]))):
                    arm(x)  # (a passed deadline: it fires at once)
                    await _port.wait_readable(conn.s)
                n = conn.read_now(mv)
                new = n is not None
                if not new:
                    continue
            if not n:
                if got:
                    raise BusinessError(_E_BAD_RESPONSE, 24)  # connection closed inside the response head
                raise BusinessError(_E_NOTHING)
            if not got:
                x.timing[5] = ticks_ms()
            got = new = True
            rb.end += n  # (rb.wrote(n) without the call: n fits, it was read into space())
    except OSError as e:
        from ._clientx import io_error as f
        raise f(conn, e, _E_RECV, x)
    except ValueError as e:  # MicroPython's mbedTLS verify text (_tls.verify_error)
        from ._tls import verify_error as f
        raise f(str(e).strip())


async def _read_body(x, conn, rb, kind, length, headers):
    arm(x)
    enc = None
    br = http1body.BodyReader(kind, length)
    try:
        if x.on_data is not None:  # requestInStream: the streaming reader, loaded then
            if kind != _NONE:
                from ._clientx import stream_body
                await stream_body(x.on_data, x.lent, conn, rb, br, BUF_SIZE)
            return None
        if kind == _NONE:
            return b""
        limit = x.max_limit
        if x.decode:
            enc = (http1.header(headers, "content-encoding") or "").lower()
            if enc != "gzip" and enc != "deflate" and enc != "x-gzip":
                enc = None
        # the result buffer: its first n bytes are the body so far. A body of unknown
        # length (or a declared one too big for the heap now) grows in place by what comes
        # next (bytearray slice assignment and extend: gc_realloc takes the free blocks
        # after it, moving it only when they are not free), never past limit. Doubling needed
        # the old and the new buffer at once: at 110k chunked bodies stopped at 13 KiB.
        if kind == _LENGTH:
            if limit is not None and length > limit:
                raise BusinessError(_E_TOO_BIG, 25, (length, limit))  # body of %d bytes exceeds maxLimit %d
            try:  # the whole declared body at once: no regrowth copies (bounded by maxLimit)
                buf = bytearray(length)
            except MemoryError:  # too big for the free heap now: grow as bytes arrive
                buf = bytearray()
        else:
            buf = bytearray()
        n = g = 0  # g: _grow's state
        while True:
            p = br.read(rb)
            if p is None and br.done:
                break
            if p is not None:  # body bytes that came in with framing bytes
                k = n + p[1] - p[0]
                if limit is not None and k > limit:  # (buf may have room past it: doubled)
                    raise BusinessError(_E_TOO_BIG, 27, limit)  # body exceeds maxLimit %d
                if k > len(buf):
                    m = k - len(buf)
                    g = _grow(buf, m, m, rb.mv, g)
                buf[n:k] = rb.mv[p[0]:p[1]]
                n = k
                continue
            w = 0 if len(rb) else br.want()  # body bytes that may come straight from the socket
            if w and limit is not None and n >= limit:
                w = 0  # full at maxLimit: through rb, where a byte more fails above
            if not g and n == len(buf) and n >= len(rb.buf):
                # a big body: the garbage of the requests before it is collected (once), so
                # the small objects made while it grows (views, tuples) go into the holes
                # below it, not into the free blocks after it that growing in place needs
                # (nothing made in this loop is held here)
                g = 1
                _collect(1)
            if w:  # straight into the result: up to w bytes (-1: any)
                k = len(buf)
                if n == k:  # no room left: for what is to come, up to rb's size (rb is
                    # empty: its stale bytes are the filler)
                    k = len(rb.buf)
                    if 0 < w < k:
                        k = w
                    if limit is not None and n + k > limit:
                        k = limit - n
                    g = _grow(buf, k, 1, rb.mv, g)
                    k = len(buf)
                if limit is not None and k > limit:
                    k = limit  # (room past it, from a doubling)
                if 0 < w < k - n:
                    k = n + w
                mv = memoryview(buf)[n:k]
            else:  # framing comes next: through rb and the parser
                mv = rb.space()
            # read_now and a wait, not a coroutine per read: its frame would be a heap block
            # of its own, which lands right after the growing result and stops its growth
            k = conn.read_now(mv)
            mv = None  # (CPython: no view of buf left when it grows)
            if k is None:  # nothing yet: wait (up to the deadline; readTimeout 0: the loop's)
                k = x.read_timeout
                if not (k and _port.wait_now(conn.s, k - time.ticks_diff(ticks_ms(), x.timing[0]))):
                    await _port.wait_readable(conn.s)
                continue
            if k:
                if w:
                    n += k
                    br.took(k)
                else:
                    rb.wrote(k)
                continue
            br.eof()
            break
    except OSError as e:
        from ._clientx import io_error
        raise io_error(conn, e, _E_RECV)
    except MemoryError:
        raise BusinessError(_E_OOM, 26)  # out of memory reading the body
    if n < len(buf):  # room grown for bytes that did not come: the result is the body only
        if n < len(buf) - n:  # more room than body (a small body read in rb-sized steps):
            buf = buf[:n]  # a copy, as cutting keeps the block (a 159 B result held 4.5 KB)
        else:
            buf[n:] = b""
    if enc is not None:
        from ._inflate import inflate
        return inflate(buf, enc, x.max_limit)
    return buf


def _grow(buf, most, least, src, g):
    """buf lengthened in place by up to most bytes, at least least (MemoryError when not
    even that fits); the bytes added are filler (src's, or buf's own). -> the state g for
    the next call: 0 at first, 1 once the heap's garbage was collected (_collect), 2 once
    doubling failed. Where the blocks after buf are free, gc_realloc takes them and copies
    nothing. But each realloc scans the whole block, so fixed steps cost n squared (4 KiB
    steps: 380M instructions a MiB at 10 MiB): from _DOUBLE on buf doubles (a move where it
    cannot in place; the result may keep up to as much room again), and where that no
    longer fits it steps on."""
    n = len(buf)
    if g == 1 and n >= _DOUBLE:
        try:
            buf.extend(buf)
            return g
        except MemoryError:
            g = 2
    t = 0
    while True:
        try:
            buf.extend(src[:most])
            return g
        except MemoryError:  # the failed try collected the garbage (a move that finds no
            # block does): the same size once more first, as the blocks after buf may be
            # free now; then halved, for the last bytes the heap has room for
            if t:
                if most <= least:
                    raise
                most = max(most >> 1, least)
            t = 1


def _collect(dirty):
    """gc.collect(); dirty: a big body was made, so the next request collects first too.
    Dropped, it is garbage where the heap's big free run begins until a collection: the
    next request's objects (its exchange, memos, connection) would go after it and cut
    that run in two, and a big body after them finds two halves (at 110k, a 32 KiB body
    failed after one that ran out of memory)."""
    global _dirty
    _dirty = dirty
    import gc
    gc.collect()
