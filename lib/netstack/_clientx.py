# The engine's less used half (as _portx is the seam's), loaded on first use: a plain GET
# does not load it. requestInStream's body reader, the drain of a redirect's or a 401's
# body, a redirect's next URL and method, a head that outgrew a buffer that cannot grow,
# the codes of failed connects and I/O, and a request head other than the everyday one. It does not import _client (imports point one
# way): _client maps what the readers raise (OSError, MemoryError) to codes.
from . import _port
from ._err import BusinessError
from .proto import RecvBuf
from ._piece import new

_RESOLVE = const(0)  # transport's stages
_CONNECT = const(1)
_OPEN = const(4)

# Numbers written out (no const machinery for them): 2300008 is http's invalid response;
# 524288 the largest piece requestInStream reads straight from the socket; 65536 the
# largest redirect/401 body read and dropped to keep the connection.


async def stream_body(on_data, lent, conn, rb, br, buf_size):
    """requestInStream: hand the body to on_data in pieces (or through lent, the caller's
    buffer). A piece gathers what has arrived, without waiting once it holds bytes: body
    bytes from rb, reads straight from the socket into it, and for a chunked body the
    chunks that follow (their framing through rb), up to the piece size: a download in
    16 KiB chunks is not a piece (an allocation, a listener call) per chunk. Raises
    OSError, MemoryError, ProtoError."""
    piece = _piece_size(buf_size) if lent is None else len(lent)
    while not br.done:
        m = piece
        if br.kind == 1 and m > br.left:  # LENGTH: no bigger than what is left
            m = br.left
        # a new piece for the listener (bytearray, not bytes: MicroPython hashes every new
        # bytes object), or the caller's lent buffer. The last piece is let go first (b and
        # its view v): the collection this allocation may start would otherwise mark it,
        # and MicroPython scans every word of a live block (~1M instructions for 256 KiB)
        b = v = pb = None
        if m:
            if lent is not None:
                b = lent if m == piece else lent[:m]
            else:
                try:
                    b = new(m)  # (in _piece: the collection it may start marks from there)
                except MemoryError:
                    pass
        if b is None:  # a tight heap, or no block that big: through rb, at exact sizes
            p = br.read(rb)
            if p is not None:
                _copy_out(on_data, rb.mv[p[0]:p[1]])
                continue
            if br.done:
                break
            n = await conn.readinto(rb.space())
            if n:
                rb.wrote(n)
                continue
            br.eof()
            break
        v = b if lent is not None else memoryview(b)
        k = 0
        while k < m and not br.done:
            if rb.end > rb.start:  # framing and/or body bytes already here
                p = br.read(rb, m - k)
                if p is not None:
                    n = p[1] - p[0]
                    v[k:k + n] = rb.mv[p[0]:p[1]]
                    k += n
                    continue
                if br.done:
                    break
            elif br.kind == 2 and lent is None:
                # chunked: framing and data read together into the piece's free room (one
                # read for many chunks where there were two a chunk, through rb), the
                # framing parsed there and the gaps it leaves closed (the data moved down)
                n = conn.fill_now(v[k:m])
                if not n:
                    if k:  # nothing more right now: hand over what is here
                        break
                    n = await conn.fill(v[k:m])
                    if not n:
                        br.eof()  # raises: the body is not complete
                        break
                if pb is None:
                    pb = _Over(b, v)
                k = _in_place(br, pb, rb, v, k, k + n)
                continue
            else:
                # want() without the call (two calls a 16 KiB chunk, ~0.65M instructions
                # per MiB with took's): LENGTH's or the current chunk's rest (http1body's
                # st 1: inside chunk data; other states: framing next, 0), -1 (CLOSE)
                w = br.kind
                w = br.left if w == 1 or (w == 2 and br.st == 1) else -1 if w == 3 else 0
                if w:  # body bytes straight from the socket
                    e = m if w < 0 or w >= m - k else k + w
                    n = conn.fill_now(v[k:e])
                    if not n:
                        if k:  # nothing more right now: hand over what is here
                            break
                        n = await conn.fill(v[k:e])
                        if not n:
                            br.eof()  # raises, unless the body runs until the close
                            break
                    if br.kind != 3:  # took(n) without the calls (n <= left; CLOSE: none)
                        br.left -= n
                        if not br.left:
                            if br.kind == 1:
                                br.done = True
                            else:
                                br.st = 2  # (chunked: its CRLF next)
                    k += n
                    continue
            # framing next (not all here): into rb, without waiting once the piece has bytes
            n = conn.read_now(rb.space())
            if n is None:
                if k:
                    break
                await _port.wait_readable(conn.s)
                continue
            if not n:
                br.eof()
                break
            rb.wrote(n)
        if k:
            if k < m:
                if lent is not None:
                    b = b[:k]
                else:
                    v = pb = None  # (CPython: no view of b left while it shrinks)
                    b[k:] = b""  # in place: no copy
            on_data(b)


class _Over(RecvBuf):
    """A RecvBuf over a streamed piece being filled: what BodyReader reads framing from
    (buf, mv, start, end, scan, consume), without a buffer of its own."""

    def __init__(self, b, v):
        self.buf = b
        self.mv = v


def _in_place(br, pb, rb, v, k, e):
    # Chunked bytes read into the piece at v[k:e]: the body's data spans moved down to k
    # one after another (a memmove each; the framing between them dropped) -> the new end
    # of the piece's data. Framing not complete at e (a size line cut by the read) goes to
    # rb, which is empty here, for the next round; so do bytes past the body's end (as
    # many as rb holds: the connection is then not reused).
    pb.start = k
    pb.end = e
    pb.scan = 0
    while True:
        p = br.read(pb)
        if p is None:
            break
        n = p[1] - p[0]
        if p[0] != k:
            v[k:k + n] = v[p[0]:p[1]]  # (overlapping, to lower addresses: a memmove)
        k += n
    e = pb.end
    if e > pb.start:
        n = len(rb.buf)
        rb.feed(v[pb.start:e if e - pb.start <= n else pb.start + n])
    return k


# ProtoError kind (proto/__init__) -> the http code: BAD and TOO_BIG are an invalid
# response, FRAMING a bad transfer coding, CUT a partial body, USAGE a bad argument,
# URL a malformed URL, SCHEME an unsupported protocol. (Here, not in _client: loaded on
# such an error only.)
def http_error(e):
    """The BusinessError an http/fetch user sees for a ProtoError."""
    return BusinessError((2300008, 2300008, 2300008, 2300061, 2300018, 401, 2300003,
                          2300001)[e.kind], e.message)


async def big_head(conn, rb, e, limit):
    """The response head parser raised e (ProtoError): for a head bigger than the receive
    buffer, a bigger buffer for this connection, up to limit (not kept as the spare
    afterwards), or (no block that big) head_over; else e again."""
    cap = len(rb.buf)
    if e.kind != 2 or len(rb) < cap or cap >= limit:  # 2: proto.TOO_BIG
        raise e
    try:
        rb.grow(min(limit, cap * 2))
    except MemoryError:  # no block that big in a fragmented heap
        await head_over(conn, rb, limit)


async def head_over(conn, rb, limit):
    """The receive buffer is full of a head and cannot grow. Read on, dropping the bytes,
    only to tell a head over the limit (2300008, as with room for it: a hostile server's
    endless head gets the same answer on every heap) from one within it (2300027)."""
    seen = len(rb)  # head bytes so far
    while seen < limit:
        rb.consume(len(rb) - 3)  # the last 3 stay: a blank line may span two reads
        n = await conn.readinto(rb.space())
        if not n:
            raise BusinessError(2300008, "connection closed inside the response head")
        rb.wrote(n)
        b = rb.buf
        e = b.find(b"\n\n", 0, rb.end)
        k = b.find(b"\n\r\n", 0, rb.end)
        e = e + 2 if e >= 0 and (k < 0 or e < k) else k + 3 if k >= 0 else -1
        if e >= 0:  # the head ends there: seen - 3 + e bytes
            if seen - 3 + e <= limit:
                raise MemoryError  # within the limit: the heap is what is short (2300027)
            break
        seen += n
    raise BusinessError(2300008, "response head larger than %d bytes" % limit)


def open_error(e, x, host, port):
    """What a failed dial (_client._open) raises for e: the connect timeout, or the http code
    of a transport.NetError's stage; else e itself."""
    from . import transport
    if isinstance(e, _port.CancelledError) and x.connect_timed_out:
        return BusinessError(2300028, "connect to %s:%d timed out" % (host, port))
    if isinstance(e, transport.NetError):
        st = e.stage
        if st == _RESOLVE:
            return BusinessError(2300005 if e.via_proxy else 2300006, e.text)  # (proxy) DNS
        if e.via_proxy and st == _CONNECT:
            return BusinessError(2300007, "cannot connect to proxy: " + e.text)
        return BusinessError(2300007, e.text)  # TUNNEL: the proxy's answer says why
    return e


def redirect(x, status, loc, method):
    """The next hop of a redirect (3xx with a Location) -> (its URL, None or the method it
    takes instead: GET, or HEAD for a HEAD; then without the body). 2300047 past
    maxRedirects."""
    if x.redirects >= x.max_redirects:
        raise BusinessError(2300047, "more than %d redirects" % x.max_redirects)
    x.redirects += 1
    import time
    x.timing[8] = time.ticks_ms()  # the redirect steps so far end here (curl's REDIRECT_TIME)
    from .proto.url import join  # proto.urlx
    new_url = join(x.url_final, loc)
    from . import _err
    if _err.on:
        _err.log("redirect", status, new_url)
    if status == 303 or (status in (301, 302) and method == "POST"):
        return new_url, "GET" if method != "HEAD" else method
    return new_url, None


def _copy_out(on_data, mv):
    # Hand mv to the listener as new bytearrays (a lent buffer always has its piece: no
    # call). A fragmented small heap may have the bytes free but not in one block: then
    # smaller pieces (down to 256 bytes) rather than 2300027.
    n = len(mv)
    i = 0
    step = n
    while i < n:
        try:
            b = bytearray(mv[i:i + step])
        except MemoryError:
            if step <= 256:
                raise
            step >>= 1
            continue
        on_data(b)
        i += len(b)


def _piece_size(buf_size):
    # requestInStream piece: big pieces mean fewer rounds through the loop, but each is a
    # new allocation, so at most a quarter of the free heap, and none (0: through rb) with
    # under 16 * buf_size free (64 KB). Up to 512 KiB: MicroPython's allocator looks for a
    # piece's free run from the lowest free block, over every dead piece since the last
    # collection, so the search per MiB shrinks as pieces grow: 64 KiB pieces spent ~2.6M
    # instructions per MiB there at a 2 MB heap, 256 KiB ones ~1.2M, a quarter of the
    # heap ~0.6M (Content-Length streamed 3.11M -> 2.81M per MiB in all)
    f = _port.mem_free()
    if f is None:  # no heap bound (CPython)
        return 524288
    return 0 if f < 16 * buf_size else 524288 if f > 2097152 else f >> 2


async def drain(conn, rb, br, length):
    """Read and drop a small body so the connection can be reused; False: just close it."""
    if length > 65536:
        return False
    left = 65536
    try:
        while not br.done and left > 0:
            piece = br.read(rb)
            if piece is not None:
                left -= piece[1] - piece[0]
                continue
            if br.done:
                break
            n = await conn.readinto(rb.space())
            if not n:
                br.eof()
                return False
            rb.wrote(n)
    except (OSError, BusinessError):
        return False
    return br.done


def io_error(conn, e, code, x=None):
    """The BusinessError for an OSError of conn's I/O: before a byte went through it is a
    connect failure (2300007), a pin mismatch (2300090) or a TLS handshake's; after, code
    (2300055 send, 2300056 receive)."""
    if conn.stage != _OPEN:
        if x is not None and x.pin_failed:
            return BusinessError(2300090, x.pin_failed[-1])
        if conn.tls:
            from . import _tls
            t = _tls.handshake_error(e)
            if t is not None:
                return t
        return BusinessError(2300007, "connection failed: %s" % e)
    return BusinessError(code, "%s: %s" % ("send failed" if code == 2300055 else "receive failed", e))


# The request head when it is not the everyday one (_client.perform builds that itself):
# user headers, a body, credentials, cookies or a proxy.
def request_head(x, method, scheme, hh, host, target, body, userinfo, auth_tried):
    have = {}
    for n, v in x.headers:
        have[n] = 1
    if x.proxy is not None and scheme == "http":
        target = scheme + "://" + hh + target
    h = [] if "host" in have else [("host", hh)]
    if "user-agent" not in have:
        h.append(("user-agent", "netstack-mpy/0.1"))
    if "accept" not in have:
        h.append(("accept", "*/*"))
    if body is not None and "content-length" not in have and "transfer-encoding" not in have:
        h.append(("content-length", str(body_len(body))))
    if (x.proxy is not None and scheme == "http" and x.proxy[2]) or \
            ((x.auth is not None or userinfo or auth_tried) and "authorization" not in have):
        from ._auth import head_lines  # credentials: loaded only for them
        head_lines(x, h, have, userinfo, auth_tried, scheme)
    if x.cookies is not None and "cookie" not in have:
        c = x.cookies.header(host, target, scheme == "https")
        if c:
            h.append(("cookie", c))
    for n, v in x.headers:
        if body is None and n == "content-length":
            continue
        h.append((n, v))
    from .proto import http1
    return http1.request_head(method, target, h)


async def send_body(x, conn, body):
    """A request's body, after its head (_client._send_and_head): a bytes-like object or a
    list of them, with dataSendProgress (x.on_sent) after each."""
    total = body_len(body)
    sent = 0
    for piece in (body if isinstance(body, list) else (body,)):
        await conn.write(piece)
        sent += len(piece)
        if x.on_sent is not None:
            x.on_sent(sent, total)


def body_len(body):
    if isinstance(body, list):
        n = 0
        for p in body:
            n += len(p)
        return n
    return len(body)
