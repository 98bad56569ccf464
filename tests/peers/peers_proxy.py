"""A forward HTTP proxy for tests (stdlib only).

- absolute-form requests ("GET http://127.0.0.1:X/p HTTP/1.1") are forwarded with
  "Connection: close" and "Via: 1.1 peers-proxy"; the response is relayed as is and the
  client connection closes after it (simple, and still valid HTTP/1.1);
- "CONNECT host:port" opens a raw tunnel (https through the proxy);
- only loopback targets are allowed (403 otherwise), so tests never leave 127.0.0.1;
- "GET http://proxy.stats/" is answered by the proxy itself with JSON counters, so a
  test can prove its traffic went through the proxy (never needs credentials);
- with credentials=(user, password) every other request needs
  "Proxy-Authorization: Basic ..." (407 with Proxy-Authenticate otherwise).
"""
import base64
import collections
import json
import select
import socket
import threading
from urllib.parse import urlsplit

from peers_rawhttp import (HOST, IO_TIMEOUT, Conn, HTTPError, ThreadedServer, graceful_close,
                           read_request, respond)

LOOPBACK = {"127.0.0.1", "localhost", "::1", HOST}   # HOST: where the peers are
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "upgrade"}
TUNNEL_IDLE = 60      # an idle tunnel or relay ends after this many seconds


class Proxy:
    def __init__(self, credentials=None, name="proxy"):
        self.credentials = credentials
        self._lock = threading.Lock()
        self.counts = {"forwarded": 0, "connect": 0, "auth_rejected": 0, "refused": 0}
        self.recent = collections.deque(maxlen=50)     # "METHOD target" of recent ones
        self.server = ThreadedServer(self.handle, name=name)
        self.port = self.server.port

    def _count(self, key, req=None):
        with self._lock:
            self.counts[key] += 1
            if req is not None:
                self.recent.append("%s %s" % (req.method, req.target))

    def stats(self):
        with self._lock:
            return dict(self.counts, recent=list(self.recent))

    def _authorized(self, req):
        scheme, _, token = (req.header("proxy-authorization") or "").partition(" ")
        try:
            given = base64.b64decode(token.strip(), validate=True).decode()
        except ValueError:
            return False
        return scheme.lower() == "basic" and given == "%s:%s" % self.credentials

    def handle(self, sock):
        conn = Conn(sock)
        while True:
            try:
                req = read_request(conn, read_body=False)
            except HTTPError as e:
                respond(conn, None, e.status, e.reason, e.reason.encode())
                return graceful_close(sock)
            if req is None:
                return
            if req.method == "CONNECT":
                host, _, port = req.target.rpartition(":")
                host = host.strip("[]")
            else:
                url = urlsplit(req.target)
                if url.scheme != "http" or not url.hostname:
                    respond(conn, None, 400, "Bad Request", b"absolute-form http:// target expected")
                    return graceful_close(sock)
                host, port = url.hostname, url.port or 80
            if host == "proxy.stats":
                keep = respond(conn, req, 200, "OK", json.dumps(self.stats()).encode(),
                               ctype="application/json")
            elif self.credentials and not self._authorized(req):
                self._count("auth_rejected")
                keep = respond(conn, req, 407, "Proxy Authentication Required", b"proxy auth required",
                               headers=[("Proxy-Authenticate", 'Basic realm="peers"')])
            elif host not in LOOPBACK or not str(port).isdigit():
                self._count("refused")
                keep = respond(conn, req, 403, "Forbidden", b"this test proxy only reaches loopback")
            else:
                return self._connect_upstream(conn, req, host, int(port))
            if not keep or req.has_body():    # we did not read that body: cannot continue
                return graceful_close(sock)

    def _connect_upstream(self, conn, req, host, port):
        try:
            up = socket.create_connection((host, port), timeout=10)
        except OSError as e:
            respond(conn, None, 502, "Bad Gateway", str(e).encode())
            return graceful_close(conn.sock)
        up.settimeout(IO_TIMEOUT)
        with up:
            if req.method == "CONNECT":
                self._count("connect", req)
                conn.sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                relay(conn, up, until_upstream_eof=False)
            else:
                self._count("forwarded", req)
                url = urlsplit(req.target)
                lines = ["%s %s %s" % (req.method, (url.path or "/") + ("?" + url.query if url.query else ""),
                                       req.version)]
                lines += [l for l in req.header_lines if l.split(":")[0].strip().lower() not in HOP_BY_HOP]
                if not req.header("host"):
                    lines.append("Host: %s" % url.netloc)
                lines += ["Connection: close", "Via: 1.1 peers-proxy"]
                up.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
                relay(conn, up, until_upstream_eof=True)
                graceful_close(conn.sock)


def relay(conn, up, until_upstream_eof):
    """Copy bytes both ways (request body or tunnel data and the response) until both
    sides finished, or, when forwarding, until upstream finished its response."""
    if conn.buf:                        # bytes that arrived with the head belong upstream
        up.sendall(conn.buf)
        conn.buf.clear()
    client = conn.sock
    peer = {client.fileno(): (client, up), up.fileno(): (up, client)}
    poller = select.poll()
    for fd in peer:
        poller.register(fd, select.POLLIN)
    while peer:
        events = poller.poll(TUNNEL_IDLE * 1000)
        if not events:
            return
        for fd, _ in events:
            if fd not in peer:
                continue
            src, dst = peer[fd]
            try:
                data = src.recv(65536)
                if data:
                    dst.sendall(data)
                    continue
                dst.shutdown(socket.SHUT_WR)    # pass the EOF on (half-close)
            except OSError:
                return
            poller.unregister(fd)
            del peer[fd]
            if src is up and until_upstream_eof:
                return
