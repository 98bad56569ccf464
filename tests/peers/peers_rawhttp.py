"""Small building blocks for byte-exact HTTP/1.1 test servers (stdlib only).

ThreadedServer: listens on 127.0.0.1, one daemon thread per connection, optional
TLS, bounded connection count, and a stop() that unblocks every thread.
Conn: a socket with a bounded read buffer. read_request(): a strict-enough
request parser that keeps the header lines exactly as received.
"""
import hashlib
import os
import select
import socket
import ssl
import struct
import threading
import time
from urllib.parse import parse_qs, urlsplit

HEAD_LIMIT = 64 * 1024        # largest request head we accept (431 beyond)
BODY_KEEP = 1024 * 1024       # request body bytes kept for /echo; the rest is hashed and dropped
IO_TIMEOUT = 30               # per-recv/send timeout; also the idle keep-alive timeout
MAX_CONNS = 2000              # beyond this new connections are closed at once


class HTTPError(Exception):
    """Bad request from the client: answer `status` and close."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status, self.reason = status, reason


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.requests = 0     # requests read on this connection so far

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def read_head(self, limit=HEAD_LIMIT):
        """Bytes of the next head up to and including its blank line (CRLF or bare LF
        line ends are both accepted). None on a clean EOF before any byte."""
        while True:
            while self.buf[:2] == b"\r\n" or self.buf[:1] == b"\n":
                del self.buf[:2 if self.buf[:1] == b"\r" else 1]   # RFC 9112 2.2: skip leading empty lines
            ends = [i for i in (self.buf.find(b"\n\r\n"), self.buf.find(b"\n\n")) if i >= 0]
            if ends:
                i = min(ends)
                end = i + (3 if self.buf[i + 1:i + 2] == b"\r" else 2)
                if end > limit:
                    raise HTTPError(431, "Request Header Fields Too Large")
                head = bytes(self.buf[:end])
                del self.buf[:end]
                return head
            if len(self.buf) > limit:
                raise HTTPError(431, "Request Header Fields Too Large")
            try:
                self._fill()
            except EOFError:
                if not self.buf:
                    return None
                raise

    def read_line(self, limit=8192):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i + 1])
                del self.buf[:i + 1]
                return line
            if len(self.buf) > limit:
                raise HTTPError(400, "line too long")
            self._fill()

    def read_chunks(self, n):
        """Yield exactly n bytes in pieces, without holding more than 64 KiB."""
        while n > 0:
            if not self.buf:
                self._fill()
            piece = bytes(self.buf[:min(n, 65536)])
            del self.buf[:len(piece)]
            n -= len(piece)
            yield piece


class Request:
    def __init__(self, head):
        self.head = head
        text = head.decode("latin-1")
        lines = [l[:-1] if l.endswith("\r") else l for l in text.split("\n")]
        while lines and lines[-1] == "":
            lines.pop()
        parts = lines[0].split(" ") if lines else []
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise HTTPError(400, "bad request line")
        self.method, self.target, self.version = parts
        self.header_lines = lines[1:]
        self.headers = []     # (lowercase name, value)
        for line in self.header_lines:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip() or line[0] in " \t":
                raise HTTPError(400, "bad header line")
            self.headers.append((name.lower(), value.strip(" \t")))
        try:
            url = urlsplit(self.target)
        except ValueError:
            raise HTTPError(400, "bad request target")
        self.path = url.path or "/"
        self.query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.body = b""
        self.body_len = 0
        self.body_sha256 = hashlib.sha256(b"").hexdigest()
        self.trailer_lines = []

    def header(self, name, default=None):
        values = self.header_all(name)
        return values[-1] if values else default

    def header_all(self, name):
        return [v for n, v in self.headers if n == name]

    def tokens(self, name):
        return [t.strip().lower() for v in self.header_all(name) for t in v.split(",") if t.strip()]

    @property
    def keep_alive(self):
        if "close" in self.tokens("connection"):
            return False
        return self.version == "HTTP/1.1" or "keep-alive" in self.tokens("connection")

    def has_body(self):
        cl = self.header("content-length", "0")
        return bool(self.header_all("transfer-encoding")) or not cl.isdigit() or int(cl) > 0


def read_request(conn, on_expect=None, read_body=True):
    """Next request on conn, or None on clean EOF. on_expect(req) is called before
    the body is read when the client sent "Expect: 100-continue"."""
    head = conn.read_head()
    if head is None:
        return None
    req = Request(head)
    conn.requests += 1
    if not read_body:
        return req
    te = req.tokens("transfer-encoding")
    cls = set(req.header_all("content-length"))
    if te and te[-1] != "chunked":
        raise HTTPError(501, "unsupported transfer-encoding")
    if not te and len(cls) > 1:
        raise HTTPError(400, "conflicting content-length")
    if not te and cls and not next(iter(cls)).isdigit():
        raise HTTPError(400, "bad content-length")
    if on_expect and "100-continue" in req.tokens("expect") and req.has_body():
        on_expect(req)
    sha, kept = hashlib.sha256(), bytearray()

    def take(data):
        sha.update(data)
        req.body_len += len(data)
        if len(kept) < BODY_KEEP:
            kept.extend(data[:BODY_KEEP - len(kept)])

    if te:
        while True:
            line = conn.read_line()
            size = line.split(b";")[0].strip()
            try:
                n = int(size, 16)
            except ValueError:
                raise HTTPError(400, "bad chunk size")
            if n == 0:
                break
            for piece in conn.read_chunks(n):
                take(piece)
            if conn.read_line(2) not in (b"\r\n", b"\n"):
                raise HTTPError(400, "bad chunk end")
        while True:           # trailer section
            line = conn.read_line()
            if line in (b"\r\n", b"\n"):
                break
            if len(req.trailer_lines) < 100:
                req.trailer_lines.append(line.rstrip(b"\r\n").decode("latin-1"))
    elif cls:
        for piece in conn.read_chunks(int(next(iter(cls)))):
            take(piece)
    req.body = bytes(kept)
    req.body_sha256 = sha.hexdigest()
    return req


def response_head(status, reason, headers=(), version="HTTP/1.1"):
    lines = ["%s %d %s" % (version, status, reason)]
    lines += ["%s: %s" % kv for kv in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(conn, req, status, reason, body=b"", headers=(), ctype="text/plain"):
    """A complete Content-Length framed response; returns whether to keep the connection."""
    keep = req is not None and req.keep_alive
    hdrs = [("Content-Type", ctype), ("Content-Length", str(len(body)))] + list(headers)
    if not keep:
        hdrs.append(("Connection", "close"))
    head = response_head(status, reason, hdrs)
    conn.sock.sendall(head if req is not None and req.method == "HEAD" else head + body)
    return keep


def send_vec(sock, bufs):
    """sendall() for a list of buffers in as few syscalls as possible (no copying)."""
    if isinstance(sock, ssl.SSLSocket):
        sock.sendall(b"".join(bufs))
        return
    bufs = [memoryview(b).cast("B") for b in bufs]
    while bufs:
        n = sock.sendmsg(bufs)
        while bufs and n >= len(bufs[0]):
            n -= len(bufs[0])
            bufs.pop(0)
        if bufs:
            bufs[0] = bufs[0][n:]


def wait_client_gone(sock, seconds):
    """Wait up to `seconds`; True if the peer closed or reset meanwhile.
    Bytes the client sends meanwhile are read and dropped (bounded memory)."""
    deadline = time.monotonic() + seconds
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if poller.poll(left * 1000):
            try:
                if not sock.recv(65536):
                    return True
            except (BlockingIOError, InterruptedError, socket.timeout):
                pass
            except OSError:
                return True


def graceful_close(sock):
    """FIN, then drain briefly so unread request bytes do not turn our close into a RST."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(1.0)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and sock.recv(65536):
            pass
    except OSError:
        pass
    sock.close()


def reset_close(sock):
    """Close with a TCP RST (SO_LINGER on, timeout 0)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


# Where the peers listen: 127.0.0.1, or the address a board reaches this host at
# (tools/test_board.py sets it: a LAN address, or one in a network namespace in CI).
HOST = os.environ.get("NETSTACK_PEERS_HOST") or "127.0.0.1"


class ThreadedServer:
    """Accepts on HOST:<free port>; runs handler(sock) in a thread per connection.
    The handler owns the socket but the server closes it afterwards (idempotent)."""

    def __init__(self, handler, ssl_context=None, name="server"):
        self.handler, self.ssl_context, self.name = handler, ssl_context, name
        self.sock = socket.create_server((HOST, 0), backlog=1024)
        self.port = self.sock.getsockname()[1]
        self._conns = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name=name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def active_connections(self):
        with self._lock:
            return len(self._conns)

    def _accept_loop(self):
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        while not self._stopping.is_set():
            if not poller.poll(100):      # 100 ms: how fast stop() is noticed
                continue
            try:
                sock, _ = self.sock.accept()
            except OSError:
                continue
            with self._lock:
                if len(self._conns) >= MAX_CONNS:
                    sock.close()
                    continue
                self._conns.add(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True,
                             name="%s-conn" % self.name).start()

    def _serve(self, sock):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(IO_TIMEOUT)
            if self.ssl_context is not None:
                raw = sock
                sock = self.ssl_context.wrap_socket(raw, server_side=True)
                with self._lock:
                    self._conns.discard(raw)
                    self._conns.add(sock)
            self.handler(sock)
        except (OSError, EOFError, ssl.SSLError, ValueError):
            pass              # client went away or spoke garbage: nothing to report
        finally:
            with self._lock:
                self._conns.discard(sock)
            try:
                sock.close()
            except OSError:
                pass

    def signal_stop(self):
        """Ask the accept loop to end (several servers can then be stopped in parallel)."""
        self._stopping.set()

    def stop(self):
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(2)
        self.sock.close()
        with self._lock:
            conns = list(self._conns)
        for s in conns:       # wakes threads blocked in recv/send; they then exit
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve_http(sock, dispatch, on_expect=None):
    """Keep-alive request loop. dispatch(conn, req) returns True to keep the
    connection, False to close it gracefully, None if it already closed it."""
    conn = Conn(sock)
    while True:
        try:
            req = read_request(conn, on_expect)
        except HTTPError as e:
            respond(conn, None, e.status, e.reason, e.reason.encode())
            graceful_close(sock)
            return
        if req is None:
            return
        keep = dispatch(conn, req)
        if keep is None:
            return
        if not keep:
            graceful_close(sock)
            return
