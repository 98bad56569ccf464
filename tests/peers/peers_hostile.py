"""The "hostile" HTTP/1.1 server: well-behaved paths plus byte-exact broken ones.

Every path is listed in README.md. Rules kept by all of them:
- a stalling path ends when the client disconnects, or after STALL_LIMIT seconds;
- nothing grows with what the client or the path sends (bounded memory);
- paths whose framing is broken close the connection afterwards; valid ones keep it.
"""
import functools
import gzip
import json
import socket
import time
import zlib

from peers_rawhttp import (reset_close, respond, response_head, send_vec,
                           serve_http, wait_client_gone)

STALL_LIMIT = 60
SEND_TIMEOUT = 5      # a client that stops reading a streaming path ends it after this
BIG_MAX = 1 << 30
# Body byte i of /big and /bigchunked is i % 256, so a client can check any offset.
# 1 MiB + 256 so that a slice may start at any phase of the pattern.
PATTERN = memoryview(bytes(range(256)) * 4097)
TEXT = memoryview(bytes(48 + i % 64 for i in range(256)) * 4097)  # ?text=1: byte i is 48 + i % 64
MiB = 1 << 20
CHUNKED_BODY = b"hello, chunked world! abcdefghijklmnopqrstuvwxyz"
CLOSE_BODY = b"this body ends when the server closes the connection\n" * 3
ROUTES = {}


def route(path):
    def deco(fn):
        ROUTES[path] = fn
        return fn
    return deco


def qint(req, name, default, lo, hi):
    try:
        v = int(req.query.get(name, default))
    except ValueError:
        v = default
    return min(max(v, lo), hi)


def raw(conn, data):
    """Send exact bytes, then close the connection gracefully."""
    conn.sock.sendall(data)
    return False


def stall(conn, seconds=STALL_LIMIT):
    """Hold the connection until the client leaves (or the limit); then close."""
    wait_client_gone(conn.sock, seconds)
    return False


def accepts(req, coding):
    """Whether Accept-Encoding allows `coding` (q=0 means "not acceptable")."""
    for item in ",".join(req.header_all("accept-encoding")).split(","):
        name, *params = [p.strip().lower() for p in item.split(";")]
        if name in (coding, "*"):
            for p in params:
                if p.startswith("q="):
                    try:
                        return float(p[2:]) > 0
                    except ValueError:
                        return False
            return True
    return False


# ---- well-behaved paths -------------------------------------------------------

@route("/")
def index(conn, req):
    return respond(conn, req, 200, "OK", "\n".join(sorted(ROUTES)).encode() + b"\n")


@route("/ok")
def ok(conn, req):
    return respond(conn, req, 200, "OK", b"hello")


@route("/echo")
def echo(conn, req):
    body = json.dumps({
        "method": req.method, "target": req.target, "version": req.version,
        "headers": req.header_lines,            # exactly as received, line ends removed
        "body": req.body.decode("latin-1"), "body_len": req.body_len,
        "body_sha256": req.body_sha256, "body_truncated": req.body_len > len(req.body),
        "trailers": req.trailer_lines, "conn_requests": conn.requests,
    }).encode()
    return respond(conn, req, 200, "OK", body, ctype="application/json")


@route("/conn")
def conn_count(conn, req):
    return respond(conn, req, 200, "OK", str(conn.requests).encode())


@route("/conn-token")
def conn_token(conn, req):
    # Connection: <v> (default 'close, foo'), yet the server keeps the connection open: only
    # a client that reads the header's tokens closes it (then /conn counts 1 on a new one)
    v = req.query.get("v", "close, foo")
    respond(conn, req, 200, "OK", b"token", headers=[("Connection", v)])
    return req.keep_alive


@route("/delay")
def delay(conn, req):
    ms = qint(req, "ms", 1000, 0, STALL_LIMIT * 1000)
    if wait_client_gone(conn.sock, ms / 1000):
        return None
    return respond(conn, req, 200, "OK", b"hello")


@route("/chunked")
def chunked(conn, req):
    ext, trailers = req.query.get("ext") == "1", req.query.get("trailers") == "1"
    # Sizes written as "5", "2", uppercase "F" and zero-padded "001a" on purpose.
    parts = [("5", b"hello", ";name=value"), ("2", b", ", ";flag"),
             ("F", b"chunked world! ", ';q="a;b c"'), ("001a", b"abcdefghijklmnopqrstuvwxyz", ";x=1")]
    # ?ext=nul / ?ext=cr: the first extension carries a NUL or a bare CR (a client must refuse)
    bad = {"nul": ";a\x00b", "cr": ";a\rb"}.get(req.query.get("ext"))
    if bad:
        ext, parts[0] = True, ("5", b"hello", bad)
    hdrs = [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")]
    if trailers:
        hdrs.append(("Trailer", "X-Trailer, X-Body-Length"))
    out = [response_head(200, "OK", hdrs)]
    for size, data, e in parts:
        out.append(("%s%s\r\n" % (size, e if ext else "")).encode() + data + b"\r\n")
    out.append(b"0" + (b";end=1" if ext else b"") + b"\r\n")
    if trailers:
        out.append(b"X-Trailer: yes\r\nX-Body-Length: %d\r\n" % len(CHUNKED_BODY))
    out.append(b"\r\n")
    conn.sock.sendall(b"".join(out))
    return req.keep_alive


@route("/close-delimited")
def close_delimited(conn, req):
    # HTTP/1.1, neither Content-Length nor Transfer-Encoding nor "Connection: close".
    return raw(conn, response_head(200, "OK", [("Content-Type", "text/plain")]) + CLOSE_BODY)


@route("/http10")
def http10(conn, req):
    hdrs = [("Content-Type", "text/plain")]
    body = b"hello from HTTP/1.0\n"
    if req.query.get("cl") == "1":
        hdrs.append(("Content-Length", str(len(body))))
    return raw(conn, response_head(200, "OK", hdrs, version="HTTP/1.0") + body)


@route("/interim")
def interim(conn, req):
    conn.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n"
                      b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n")
    return respond(conn, req, 200, "OK", b"hello")


@route("/nobody")
def nobody(conn, req):
    code = req.path.rsplit("/", 1)[-1]
    if code not in ("204", "304"):
        return respond(conn, req, 404, "Not Found", b"use /nobody/204 or /nobody/304")
    # A Content-Length that must be ignored: these statuses never have a body.
    reason = "No Content" if code == "204" else "Not Modified"
    conn.sock.sendall(response_head(int(code), reason, [("Content-Length", "5"), ("ETag", '"v1"')]))
    return req.keep_alive


def _pattern(req):  # /big, /bigchunked: the bytes and their type (?text=1: ASCII text)
    if req.query.get("text") == "1":
        return TEXT, "text/plain"
    return PATTERN, "application/octet-stream"


@route("/big")
def big(conn, req):
    n = qint(req, "n", MiB, 0, BIG_MAX)
    close = req.query.get("close") == "1"  # ?close=1: no Content-Length, the close ends it
    pat, ct = _pattern(req)
    hdrs = [("Content-Type", ct)]
    if not close:
        hdrs.append(("Content-Length", str(n)))
    conn.sock.sendall(response_head(200, "OK", hdrs))
    while n:
        k = min(n, MiB)                # 1 MiB is a multiple of 256: the pattern stays in phase
        conn.sock.sendall(pat[:k])
        n -= k
    return req.keep_alive and not close


@route("/bigchunked")
def bigchunked(conn, req):
    n = qint(req, "n", MiB, 0, BIG_MAX)
    chunk = qint(req, "chunk", 16384, 1, MiB)
    pat, ct = _pattern(req)
    conn.sock.sendall(response_head(200, "OK", [("Content-Type", ct),
                                                ("Transfer-Encoding", "chunked")]))
    sent = 0
    while sent < n:
        k = min(chunk, n - sent)
        start = sent % 256
        send_vec(conn.sock, [b"%x\r\n" % k, pat[start:start + k], b"\r\n"])
        sent += k
    conn.sock.sendall(b"0\r\n\r\n")
    return req.keep_alive


def _small_json(encoding):
    return json.dumps({"encoding": encoding, "data": "hello " * 20}).encode()


def _compressed(conn, req, coding, compress):
    if not accepts(req, coding):
        return respond(conn, req, 200, "OK", _small_json("identity"), ctype="application/json",
                       headers=[("Vary", "Accept-Encoding")])
    n = qint(req, "n", -1, -1, BIG_MAX)  # ?n=N: N bytes of ?text=1's pattern instead of JSON
    data = _small_json(coding) if n < 0 else bytes(TEXT[:n])
    return respond(conn, req, 200, "OK", compress(data), ctype="application/json",
                   headers=[("Content-Encoding", coding), ("Vary", "Accept-Encoding")])


@route("/chunked-cut")
def chunked_cut(conn, req):
    # A chunked body (bytes i % 256, chunks of 1..300 bytes with extensions, a trailer)
    # sent `step` wire bytes at a time, `ms` apart, without Nagle: a client's reads end
    # inside size lines, extensions, CRLFs and the trailer. ?extra=N: N bytes of junk after
    # the body (the connection must then not be reused; it closes after them).
    step = qint(req, "step", 3, 1, 1 << 16)
    ms = qint(req, "ms", 1, 0, 100)
    extra = qint(req, "extra", 0, 0, 1 << 16)
    wire, sent = [], 0
    for k in (1, 2, 3, 10, 100, 255, 256, 300, 7, 1, 64):
        wire.append(b"%x;n=%d\r\n" % (k, k) + bytes(PATTERN[sent % 256:sent % 256 + k]) + b"\r\n")
        sent += k
    wire = b"".join(wire) + b"0\r\nX-Sent: %d\r\n\r\n" % sent + b"J" * extra
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.sock.sendall(response_head(200, "OK", [("Content-Type", "application/octet-stream"),
                                                ("Transfer-Encoding", "chunked")]))
    for i in range(0, len(wire), step):
        time.sleep(ms / 1000)
        conn.sock.sendall(wire[i:i + step])
    return req.keep_alive and not extra


@route("/gzip")
def gzip_(conn, req):
    return _compressed(conn, req, "gzip", gzip.compress)


@route("/deflate")
def deflate(conn, req):
    # HTTP "deflate" is the zlib format (RFC 9110 8.4.1.2); ?raw=1 sends the headerless raw
    # deflate some servers wrongly send, which tolerant clients also accept.
    if req.query.get("raw") == "1":
        return _compressed(conn, req, "deflate", lambda b: zlib.compress(b)[2:-4])
    return _compressed(conn, req, "deflate", zlib.compress)


@route("/set-cookies")
def set_cookies(conn, req):
    cookies = ["session=abc123; Path=/; HttpOnly",
               "theme=dark; Max-Age=3600",
               "lang=en-US; Expires=Wed, 09 Jun 2100 10:18:14 GMT; Path=/",   # comma inside!
               "empty=; Path=/"]
    return respond(conn, req, 200, "OK", b"cookies set", headers=[("Set-Cookie", c) for c in cookies])


@route("/redirect")
def redirect(conn, req):
    code = qint(req, "code", 302, 0, 999)
    ms = qint(req, "ms", 0, 0, STALL_LIMIT * 1000)  # answer this late (redirectTiming)
    if ms and wait_client_gone(conn.sock, ms / 1000):
        return None
    if code not in (301, 302, 303, 307, 308):
        return respond(conn, req, 400, "Bad Request", b"code must be 301/302/303/307/308")
    return respond(conn, req, code, "Redirect", b"redirecting",
                   headers=[("Location", req.query.get("to", "/ok"))])


@route("/redirect-loop")
def redirect_loop(conn, req):
    return respond(conn, req, 302, "Found", b"again", headers=[("Location", "/redirect-loop")])


@route("/redirect-rel")
def redirect_rel(conn, req):
    # /redirect-rel/3 -> "2" -> "1" -> "../ok": path-relative Locations, the last with a
    # dot-segment, so a client has to resolve against the current URL (RFC 3986 5.2).
    try:
        n = int(req.path.rsplit("/", 1)[-1])
    except ValueError:
        return respond(conn, req, 404, "Not Found", b"use /redirect-rel/N")
    loc = str(n - 1) if n > 1 else "../ok"
    return respond(conn, req, 302, "Found", b"relative", headers=[("Location", loc)])


# ---- hostile paths -----------------------------------------------------------

@route("/bad-status")
def bad_status(conn, req):
    return raw(conn, b"THIS IS NOT HTTP\r\nContent-Length: 5\r\n\r\nhello")


@route("/bad-version")
def bad_version(conn, req):
    return raw(conn, b"HTTP/9.9 200 OK\r\nContent-Length: 5\r\n\r\nhello")


@route("/status-only")
def status_only(conn, req):
    return raw(conn, b"HTTP/1.1 200 OK\r\n")


@route("/endless-headers")
def endless_headers(conn, req):
    conn.sock.settimeout(SEND_TIMEOUT)
    conn.sock.sendall(b"HTTP/1.1 200 OK\r\n")
    deadline, i = time.monotonic() + STALL_LIMIT - SEND_TIMEOUT, 0
    while time.monotonic() < deadline:
        conn.sock.sendall(b"".join(b"X-Endless-%d: %d\r\n" % (j, j) for j in range(i, i + 4)))
        i += 4
        if wait_client_gone(conn.sock, 0.001):
            return None
    return False


@route("/huge-header")
def huge_header(conn, req):
    kb = qint(req, "kb", 100, 1, 10 * 1024)
    conn.sock.sendall(b"HTTP/1.1 200 OK\r\nX-Huge: ")
    for _ in range(kb):
        conn.sock.sendall(b"a" * 1024)
    conn.sock.sendall(b"\r\nContent-Length: 5\r\n\r\nhello")
    return req.keep_alive


@route("/many-headers")
def many_headers(conn, req):
    n = qint(req, "n", 10000, 0, 1000000)
    conn.sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n")
    for base in range(0, n, 1000):
        conn.sock.sendall(b"".join(b"X-H-%d: v\r\n" % j for j in range(base, min(n, base + 1000))))
    conn.sock.sendall(b"\r\nhello")
    return req.keep_alive


@route("/bad-chunk")
def bad_chunk(conn, req):
    return raw(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")


@route("/overflow-chunk")
def overflow_chunk(conn, req):
    return raw(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"ffffffffffffffffffffffff\r\nhello\r\n0\r\n\r\n")


@route("/short-chunked")
def short_chunked(conn, req):
    return raw(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n")


@route("/lying-length")
def lying_length(conn, req):
    return raw(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")


@route("/lying-length-hang")
def lying_length_hang(conn, req):
    conn.sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
    return stall(conn)


@route("/drip")
def drip(conn, req):
    ms = qint(req, "ms", 100, 1, 10000)
    conn.sock.settimeout(SEND_TIMEOUT)
    conn.sock.sendall(response_head(200, "OK", [("Content-Type", "text/plain"),
                                                ("Transfer-Encoding", "chunked")]))
    deadline = time.monotonic() + STALL_LIMIT - SEND_TIMEOUT
    while time.monotonic() < deadline:     # valid chunked, never terminated
        conn.sock.sendall(b"1\r\nx\r\n")
        if wait_client_gone(conn.sock, ms / 1000):
            return None
    return False


@route("/pause-body")
def pause_body(conn, req):
    # Content-Length 200: the head and the first 100 bytes at once, the rest after ms
    ms = qint(req, "ms", 500, 0, STALL_LIMIT * 1000)
    conn.sock.sendall(response_head(200, "OK", [("Content-Length", "200")]) + b"a" * 100)
    if wait_client_gone(conn.sock, ms / 1000):
        return None
    conn.sock.sendall(b"b" * 100)
    return True


@route("/reset-mid-body")
def reset_mid_body(conn, req):
    conn.sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + bytes(PATTERN[:1000]))
    time.sleep(0.1)                        # let the client see the partial body first
    reset_close(conn.sock)
    return None


@route("/no-response")
def no_response(conn, req):
    return False


@route("/silence")
def silence(conn, req):
    return stall(conn)


@functools.lru_cache(maxsize=1)
def _bomb():
    return gzip.compress(bytes(10 * MiB), 9)   # ~10 KB on the wire, 10 MiB decoded


@route("/gzip-bomb")
def gzip_bomb(conn, req):
    if not accepts(req, "gzip"):
        return respond(conn, req, 406, "Not Acceptable", b"send Accept-Encoding: gzip")
    return respond(conn, req, 200, "OK", _bomb(), ctype="application/octet-stream",
                   headers=[("Content-Encoding", "gzip")])


@route("/dup-cl")
def dup_cl(conn, req):
    return raw(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 10\r\n\r\nhelloworld")


@route("/both-cl-te")
def both_cl_te(conn, req):
    # RFC 9112 6.3: Transfer-Encoding wins; the connection must not be reused afterwards.
    return raw(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nhello\r\n0\r\n\r\n")


@route("/bad-te")
def bad_te(conn, req):
    return raw(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: foo\r\n\r\nhello")


@route("/negative-cl")
def negative_cl(conn, req):
    return raw(conn, b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello")


@route("/nul-in-header")
def nul_in_header(conn, req):
    return raw(conn, b"HTTP/1.1 200 OK\r\nX-Nul: a\x00b\r\nContent-Length: 5\r\n\r\nhello")


@route("/bare-lf")
def bare_lf(conn, req):
    # RFC 9112 2.2 lets a recipient accept a bare LF as line end; framing is otherwise valid.
    conn.sock.sendall(b"HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 5\n\nhello")
    return req.keep_alive


@route("/obs-fold")
def obs_fold(conn, req):
    # RFC 9112 5.2: a user agent replaces obs-fold with SP: the value is "first second".
    conn.sock.sendall(b"HTTP/1.1 200 OK\r\nX-Folded: first\r\n  second\r\nContent-Length: 5\r\n\r\nhello")
    return req.keep_alive


# ---- dispatch ---------------------------------------------------------------

def dispatch(conn, req):
    if req.method == "HEAD":       # any path: a Content-Length, never a body
        n = str(qint(req, "n", 1000, 0, BIG_MAX))
        conn.sock.sendall(response_head(200, "OK", [("Content-Type", "text/plain"), ("Content-Length", n)]))
        return req.keep_alive
    path = req.path.rstrip("/") or "/"
    fn = ROUTES.get(path)
    if fn is None and path.startswith(("/nobody/", "/redirect-rel/")):
        fn = ROUTES.get(path.rsplit("/", 1)[0])
    if fn is None:
        return respond(conn, req, 404, "Not Found", b"no such path; GET / lists them")
    return fn(conn, req)


def handle(sock):
    def expect(req):
        if req.query.get("no100") != "1":   # ?no100=1: make the client's Expect timeout fire
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    serve_http(sock, dispatch, expect)
