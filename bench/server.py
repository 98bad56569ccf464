"""Benchmark HTTP/1.1 server (CPython, stdlib + trustme). Listens on 127.0.0.1 only.

    python bench/server.py [--workdir DIR] [--http-port P] [--https-port P]
                           [--no-stdin-watch] [--max-seconds S]

Routes (GET/HEAD; any request body is read and discarded):
  /small                      200, SMALL_BODY (100 bytes), Content-Length, keep-alive honoured
  /big?n=BYTES                200, Content-Length n, body from one preallocated pattern buffer
  /chunked?n=BYTES&chunk=SZ   200, Transfer-Encoding: chunked, n bytes in SZ-byte chunks
                              (default 16384); each distinct framing is built once, then
                              sent with one sendall
  /stats                      JSON {"cpu": server CPU seconds so far, "conns": accepted so far}
  anything else               404

The HTTPS listener (a CA and a 127.0.0.1/localhost certificate made by trustme) serves the
same routes. The CA is written to DIR/ca.pem and DIR/ca.der. When both listeners are up,
one JSON line goes to stdout:
  {"http": PORT, "https": PORT, "ca_pem": PATH, "ca_der": PATH, "pid": PID}
The server runs until SIGTERM/SIGINT, until stdin reaches EOF (so it does not outlive the
driver that started it), or for --max-seconds (default 1800) at most.

Plain HTTP: one epoll thread answers GET /small from a prebuilt reply (no thread start per
connection); any other request moves its connection to a thread of its own (blocking
sendall of a preallocated body). HTTPS: a thread per connection. TCP_NODELAY everywhere.
bench/run.py checks that the server is not the bottleneck: it reads the server's CPU time
(/stats) around every run and measures the server alone with a CPython client.
"""
import argparse
import json
import os
import resource
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time

HOST = "127.0.0.1"
# The exact body of /small. bench/mp_speed.py, mp_heap.py and run.py hold the same 100 bytes.
SMALL_BODY = b"netstack-bench /small 0123456789abcdefghijklmnopqrstuvwxyz" + b"." * 41 + b"\n"
assert len(SMALL_BODY) == 100
_SMALL_HEAD = b"HTTP/1.1 200 OK\r\nServer: netstack-bench\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n"
SMALL_KEEP = _SMALL_HEAD + b"Connection: keep-alive\r\n\r\n" + SMALL_BODY
SMALL_CLOSE = _SMALL_HEAD + b"Connection: close\r\n\r\n" + SMALL_BODY
MAX_N = 256 * 1024 * 1024       # largest body served
HEAD_LIMIT = 16384
IO_TIMEOUT = 60
MAX_CONNS = 512                 # concurrent connections; beyond this new ones are closed
MAX_REQUESTS = 1 << 20          # requests on one connection before the server closes it

_pattern = bytearray()          # grows (doubling) to the largest n asked for; never shrinks
_pattern_lock = threading.Lock()
_chunked_cache = {}             # (n, chunk) -> bytes of the complete chunked body
_chunked_lock = threading.Lock()
_active = [0]
_conns = [0]                    # connections accepted so far
_active_lock = threading.Lock()


def pattern(n):
    """memoryview of n bytes of the repeating pattern 0..255."""
    global _pattern
    if len(_pattern) < n:
        with _pattern_lock:
            if len(_pattern) < n:
                size = max(n, 2 * len(_pattern), 1 << 20)
                _pattern = bytearray(bytes(range(256)) * (size // 256 + 1))
    return memoryview(_pattern)[:n]


def chunked_body(n, chunk):
    key = (n, chunk)
    body = _chunked_cache.get(key)
    if body is None:
        with _chunked_lock:
            body = _chunked_cache.get(key)
            if body is None:
                src = pattern(n)
                parts = []
                for off in range(0, n, chunk):
                    piece = src[off:off + chunk]
                    parts.append(b"%x\r\n" % len(piece))
                    parts.append(piece)
                    parts.append(b"\r\n")
                parts.append(b"0\r\n\r\n")
                body = b"".join(parts)
                if len(_chunked_cache) > 8:
                    _chunked_cache.clear()
                _chunked_cache[key] = body
    return body


def parse_query(q):
    out = {}
    for part in q.split("&"):
        k, _, v = part.partition("=")
        if k:
            out[k] = v
    return out


def int_arg(query, name, default):
    v = query.get(name)
    if v is None:
        return default
    n = int(v)
    if n < 0 or n > MAX_N:
        raise ValueError(name)
    return n


def handle(sock, tls_ctx=None, buf=b""):
    """Serve one connection to its end in this thread (blocking socket)."""
    try:
        sock.setblocking(True)
        # blocking socket with kernel timeouts: CPython's settimeout() would poll() before
        # every recv/send
        tv = struct.pack("ll", IO_TIMEOUT, 0)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls_ctx is not None:
            sock = tls_ctx.wrap_socket(sock, server_side=True)   # handshake in this thread
        serve(sock, buf)
    except (OSError, ValueError, ssl.SSLError):
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass
        with _active_lock:
            _active[0] -= 1


def _header(low, name):
    """Value of header `name` (lower-case bytes, with the colon) in a lower-cased head, or None."""
    i = low.find(b"\r\n" + name)
    if i < 0:
        return None
    i += 2 + len(name)
    j = low.find(b"\r\n", i)
    return low[i:j if j >= 0 else len(low)].strip()


def serve(sock, buf=b""):
    recv, sendall = sock.recv, sock.sendall
    for _ in range(MAX_REQUESTS):
        # --- request head
        i = buf.find(b"\r\n\r\n")
        while i < 0:
            if len(buf) > HEAD_LIMIT:
                sendall(b"HTTP/1.1 431 Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            data = recv(65536)
            if not data:
                return
            buf = buf + data if buf else data
            i = buf.find(b"\r\n\r\n", max(0, len(buf) - len(data) - 3))
        head = buf[:i]
        buf = buf[i + 4:]
        sp1 = head.find(b" ")
        sp2 = head.find(b" ", sp1 + 1)
        eol = head.find(b"\r\n")
        if eol < 0:
            eol = len(head)
        if sp1 <= 0 or sp2 < 0 or sp2 > eol:
            sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        method, target, version = head[:sp1], head[sp1 + 1:sp2], head[sp2 + 1:eol]
        low = head.lower()
        conn = _header(low, b"connection:") or b""
        if version == b"HTTP/1.1":
            keep = b"close" not in conn
        else:
            keep = b"keep-alive" in conn
        # --- request body (none expected; read and drop so keep-alive stays in step)
        if _header(low, b"transfer-encoding:"):
            sendall(b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        clen = int(_header(low, b"content-length:") or 0)
        while clen > 0:
            if buf:
                take = min(clen, len(buf))
                buf = buf[take:]
                clen -= take
                continue
            data = recv(min(clen, 65536))
            if not data:
                return
            clen -= len(data)
        # --- route
        if target == b"/small" and method == b"GET":      # the hot path: one prebuilt reply
            sendall(SMALL_KEEP if keep else SMALL_CLOSE)
            if not keep:
                return
            continue
        path, _, query = target.decode("latin-1").partition("?")
        status, hdr, body = route(path, query)
        if status != b"200 OK" and status != b"404 Not Found":
            keep = False
        resp_head = b"HTTP/1.1 %s\r\nServer: netstack-bench\r\n%sConnection: %s\r\n\r\n" % (
            status, hdr, b"keep-alive" if keep else b"close")
        if method == b"HEAD":
            sendall(resp_head)
        elif len(body) <= 4096:
            sendall(resp_head + bytes(body))         # one segment for small replies
        else:
            sendall(resp_head)
            sendall(body)
        if not keep:
            return


def route(path, query):
    """-> (status, extra header bytes, body)."""
    try:
        if path == "/small":
            return b"200 OK", b"Content-Type: text/plain\r\nContent-Length: 100\r\n", SMALL_BODY
        if path == "/stats":    # the server's own CPU time so far, for bench/run.py
            ru = resource.getrusage(resource.RUSAGE_SELF)
            body = json.dumps({"cpu": ru.ru_utime + ru.ru_stime, "conns": _conns[0]}).encode()
            return b"200 OK", b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body), body
        if path == "/big":
            n = int_arg(parse_query(query), "n", 1 << 20)
            return (b"200 OK", b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n" % n,
                    pattern(n))
        if path == "/chunked":
            q = parse_query(query)
            n = int_arg(q, "n", 1 << 20)
            chunk = int_arg(q, "chunk", 16384) or 16384
            return (b"200 OK", b"Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n",
                    chunked_body(n, chunk))
    except ValueError:
        return b"400 Bad Request", b"Content-Type: text/plain\r\nContent-Length: 10\r\n", b"bad query\n"
    return b"404 Not Found", b"Content-Type: text/plain\r\nContent-Length: 10\r\n", b"not found\n"


def listen(port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, port))
    ls.listen(256)
    return ls


def accept_loop(ls, tls_ctx, stop):
    """Thread per connection (the HTTPS listener)."""
    while not stop.is_set():
        try:
            s, _ = ls.accept()
        except OSError:
            if stop.is_set():
                return
            continue
        if not _admit(s):
            continue
        threading.Thread(target=handle, args=(s, tls_ctx), daemon=True).start()


def _admit(s):
    with _active_lock:
        if _active[0] >= MAX_CONNS:
            s.close()
            return False
        _active[0] += 1
        _conns[0] += 1
    return True


def event_loop(ls, stop):
    """The plain-HTTP listener: one epoll thread answers GET /small itself (the hot path of
    the small-GET rows: no thread is started per connection, which costs CPython ~0.2 ms);
    a connection that asks for anything else is handed, with its unread bytes, to a thread
    of its own that serves it to its end with blocking sendall (bulk bodies, /stats, 404)."""
    ls.setblocking(False)
    ep = select.epoll()
    lfd = ls.fileno()
    ep.register(lfd, select.EPOLLIN)
    conns = {}                      # fd -> [socket, unparsed bytes]
    nodelay = (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def drop(fd, s):
        ep.unregister(fd)
        del conns[fd]
        s.close()
        with _active_lock:
            _active[0] -= 1

    while not stop.is_set():
        for fd, _ in ep.poll(0.5):
            if fd == lfd:
                for _ in range(64):
                    try:
                        s, _ = ls.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        break
                    if not _admit(s):
                        continue
                    s.setblocking(False)
                    s.setsockopt(*nodelay)
                    conns[s.fileno()] = [s, b""]
                    ep.register(s.fileno(), select.EPOLLIN)
                continue
            c = conns.get(fd)
            if c is None:
                continue
            s = c[0]
            try:
                data = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                drop(fd, s)
                continue
            if not data:
                drop(fd, s)
                continue
            buf = c[1] + data if c[1] else data
            for _ in range(len(buf) // 4 + 1):        # every round consumes >= 4 bytes or ends
                i = buf.find(b"\r\n\r\n")
                if i < 0:
                    if len(buf) > HEAD_LIMIT:
                        buf = None
                        drop(fd, s)
                    break
                head = buf[:i]
                # only a bodiless GET /small is answered here
                if not head.startswith(b"GET /small HTTP/1.") or b"ength:" in head or b"ncoding:" in head:
                    ep.unregister(fd)
                    del conns[fd]
                    threading.Thread(target=handle, args=(s, None, buf), daemon=True).start()
                    buf = None
                    break
                low = head.lower()
                conn = _header(low, b"connection:") or b""
                if head[18:19] == b"1":                   # HTTP/1.1
                    keep = b"close" not in conn
                else:
                    keep = b"keep-alive" in conn
                reply = SMALL_KEEP if keep else SMALL_CLOSE
                try:
                    n = s.send(reply)
                    if n < len(reply):                    # never on loopback; stay correct
                        s.setblocking(True)
                        s.sendall(reply[n:])
                        s.setblocking(False)
                except OSError:
                    keep = False
                buf = buf[i + 4:]
                if not keep:
                    drop(fd, s)
                    buf = None
                    break
            if buf is not None:
                c[1] = buf


def make_certs(workdir):
    import trustme
    os.makedirs(workdir, exist_ok=True)
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_pem = os.path.join(workdir, "ca.pem")
    ca_der = os.path.join(workdir, "ca.der")
    ca.cert_pem.write_to_path(ca_pem)
    with open(ca_der, "wb") as f:
        f.write(ssl.PEM_cert_to_DER_cert(ca.cert_pem.bytes().decode("ascii")))
    chain = os.path.join(workdir, "server-chain.pem")
    key = os.path.join(workdir, "server-key.pem")
    with open(chain, "wb") as f:
        for blob in cert.cert_chain_pems:
            f.write(blob.bytes())
    cert.private_key_pem.write_to_path(key)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain, key)
    return ctx, ca_pem, ca_der


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workdir", default=None, help="where the CA and certificate go (default: a temp dir)")
    ap.add_argument("--http-port", type=int, default=0)
    ap.add_argument("--https-port", type=int, default=0)
    ap.add_argument("--no-stdin-watch", action="store_true",
                    help="do not exit when stdin reaches EOF")
    ap.add_argument("--max-seconds", type=float, default=1800,
                    help="exit after this long whatever happens (default 1800)")
    args = ap.parse_args(argv)
    if args.workdir is None:
        import tempfile
        args.workdir = tempfile.mkdtemp(prefix="netstack-bench-")
    tls_ctx, ca_pem, ca_der = make_certs(args.workdir)
    stop = threading.Event()
    lss = []
    lss.append(listen(args.http_port))
    threading.Thread(target=event_loop, args=(lss[0], stop), daemon=True).start()
    lss.append(listen(args.https_port))
    threading.Thread(target=accept_loop, args=(lss[1], tls_ctx, stop), daemon=True).start()
    pattern(1 << 20)
    info = {"http": lss[0].getsockname()[1], "https": lss[1].getsockname()[1],
            "ca_pem": ca_pem, "ca_der": ca_der, "pid": os.getpid()}
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if not args.no_stdin_watch:
        def watch():
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except (OSError, ValueError):
                pass
            stop.set()
        threading.Thread(target=watch, daemon=True).start()
    deadline = time.monotonic() + args.max_seconds
    while not stop.wait(0.5) and time.monotonic() < deadline:
        pass
    stop.set()
    for ls in lss:
        ls.close()


if __name__ == "__main__":
    main()
