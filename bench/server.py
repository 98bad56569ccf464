"""Benchmark HTTP/1.1 server (CPython, stdlib + trustme). Listens on 127.0.0.1 only.

    python bench/server.py [--workdir DIR] [--http-port P] [--https-port P] [--ready-fd N]

Routes (GET/HEAD; any request body is read and discarded):
  /small                      200, SMALL_BODY (100 bytes), Content-Length, keep-alive honoured
  /big?n=BYTES                200, Content-Length n, body from one preallocated pattern buffer
  /chunked?n=BYTES&chunk=SZ   200, Transfer-Encoding: chunked, n bytes in SZ-byte chunks
                              (default 16384); each distinct framing is built once, then
                              sent with one sendall
  anything else               404

The HTTPS listener (a CA and a 127.0.0.1/localhost certificate made by trustme) serves the
same routes. The CA is written to DIR/ca.pem and DIR/ca.der. When both listeners are up,
one JSON line goes to stdout:
  {"http": PORT, "https": PORT, "ca_pem": PATH, "ca_der": PATH, "pid": PID}
The server runs until SIGTERM/SIGINT or until stdin reaches EOF (so it never outlives the
driver that started it).

One thread per connection with blocking sockets and TCP_NODELAY: the client is a single
sequential MicroPython process, so a thread that does nothing but recv/parse/sendall keeps
the server well ahead of it (bench/run.py measures that with a CPython client).
"""
import argparse
import json
import os
import signal
import socket
import ssl
import sys
import threading

HOST = "127.0.0.1"
# The exact body of /small. bench/mp_bench.py holds the same 100 bytes and compares.
SMALL_BODY = b"netstack-bench /small 0123456789abcdefghijklmnopqrstuvwxyz" + b"." * 41 + b"\n"
assert len(SMALL_BODY) == 100
MAX_N = 256 * 1024 * 1024       # largest body served
HEAD_LIMIT = 16384
IO_TIMEOUT = 60
MAX_CONNS = 512                 # concurrent connections; beyond this new ones are closed

_pattern = bytearray()          # grows (doubling) to the largest n asked for; never shrinks
_pattern_lock = threading.Lock()
_chunked_cache = {}             # (n, chunk) -> bytes of the complete chunked body
_chunked_lock = threading.Lock()
_active = [0]
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


class Closed(Exception):
    pass


def handle(sock, tls_ctx=None):
    try:
        sock.settimeout(IO_TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls_ctx is not None:
            sock = tls_ctx.wrap_socket(sock, server_side=True)   # handshake in this thread
        serve(sock)
    except (Closed, OSError, ValueError, ssl.SSLError):
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass
        with _active_lock:
            _active[0] -= 1


def serve(sock):
    buf = b""
    while True:
        # --- request head
        while True:
            i = buf.find(b"\r\n\r\n")
            if i >= 0:
                break
            if len(buf) > HEAD_LIMIT:
                sock.sendall(b"HTTP/1.1 431 Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            data = sock.recv(65536)
            if not data:
                return
            buf += data
        head = buf[:i]
        buf = buf[i + 4:]
        lines = head.split(b"\r\n")
        try:
            method, target, version = lines[0].split(b" ")
        except ValueError:
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        conn_tokens = b""
        clen = 0
        te = b""
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"connection":
                conn_tokens += value.lower()
            elif name == b"content-length":
                clen = int(value)
            elif name == b"transfer-encoding":
                te = value.strip().lower()
        if version == b"HTTP/1.1":
            keep = b"close" not in conn_tokens
        else:
            keep = b"keep-alive" in conn_tokens
        # --- request body (none expected; read and drop so keep-alive stays in step)
        if te:
            sock.sendall(b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        while clen > 0:
            if buf:
                take = min(clen, len(buf))
                buf = buf[take:]
                clen -= take
                continue
            data = sock.recv(min(clen, 65536))
            if not data:
                return
            clen -= len(data)
        # --- route
        path, _, query = target.decode("latin-1").partition("?")
        status, hdr, body = route(path, query)
        if status != b"200 OK" and status != b"404 Not Found":
            keep = False
        conn_hdr = b"keep-alive" if keep else b"close"
        resp_head = b"HTTP/1.1 %s\r\nServer: netstack-bench\r\n%sConnection: %s\r\n\r\n" % (status, hdr, conn_hdr)
        if method == b"HEAD":
            sock.sendall(resp_head)
        elif len(body) <= 4096:
            sock.sendall(resp_head + bytes(body))         # one segment for small replies
        else:
            sock.sendall(resp_head)
            sock.sendall(body)
        if not keep:
            return


def route(path, query):
    """-> (status, extra header bytes, body)."""
    try:
        if path == "/small":
            return b"200 OK", b"Content-Type: text/plain\r\nContent-Length: 100\r\n", SMALL_BODY
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
    while not stop.is_set():
        try:
            s, _ = ls.accept()
        except OSError:
            if stop.is_set():
                return
            continue
        with _active_lock:
            if _active[0] >= MAX_CONNS:
                s.close()
                continue
            _active[0] += 1
        threading.Thread(target=handle, args=(s, tls_ctx), daemon=True).start()


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
    args = ap.parse_args(argv)
    if args.workdir is None:
        import tempfile
        args.workdir = tempfile.mkdtemp(prefix="netstack-bench-")
    tls_ctx, ca_pem, ca_der = make_certs(args.workdir)
    stop = threading.Event()
    lss = []
    for port, ctx in ((args.http_port, None), (args.https_port, tls_ctx)):
        ls = listen(port)
        lss.append(ls)
        threading.Thread(target=accept_loop, args=(ls, ctx, stop), daemon=True).start()
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
    while not stop.wait(0.5):
        pass
    for ls in lss:
        ls.close()


if __name__ == "__main__":
    main()
