# Sans-I/O WebSocket opening handshake (RFC 6455 §4.2), the server's side: its parse and
# check of an upgrade request -> the 101 head, or a status to refuse with (HandshakeError, as
# proto/wshs raises). Apart from wshs so that a client does not carry it (bench/ws_ram.py),
# and without it, so that a server does not carry the client's (2.4 KB of .mpy): its accept
# value and token lists are its own here. A clean upgrade request is parsed here and the
# heads written here, so that a server does not load proto/http1 (its heap ~5 KB from ROMFS,
# and ~70 more names for every str made to walk); http1srv parses any other request
import binascii
from .ws import ProtocolError as HandshakeError  # (wshs's HandshakeError, the same class)


def request(rb):
    """The request head in RecvBuf rb -> None (more bytes needed) or (method, target,
    minor, headers), the head consumed, as http1srv.parse_request_head gives it. A clean
    upgrade request here ("GET target HTTP/1.1", CRLF lines, names of letters and '-', UTF-8
    values, <= 64 header lines), any other by http1srv: ProtoError for a bad one."""
    buf = rb.buf
    s = rb.start
    p = buf.find(b"\n\r\n", s, rb.end)  # (http1's end of a head: LF CRLF, or LF LF)
    if p < 0 and buf.find(b"\n\n", s, rb.end) < 0 and len(rb) < len(buf) \
            and (s == rb.end or buf[s] == 71):  # ("G"; empty lines first: http1srv's)
        return None
    n = buf.count(b"\r\n", s, p + 1) if p > s else -1  # (lines in rb: no copy of the head)
    e = buf.find(b"\r", s, p)  # the request line's end
    a = e - 9  # its space before HTTP/1.1
    if n == buf.count(b"\n", s, p + 1) == buf.count(b"\r", s, p + 1) < 66 \
            and buf.find(0, s, p) < 0 and buf.find(b"\n\n", s, p) < 0 \
            and buf.find(b"GET ", s, s + 4) == s and buf.find(b" HTTP/1.1", a, e) == a > s + 4:
        mv = rb.mv
        t = mv[s + 4:a]
        if min(t) > 32 and max(t) < 127:  # (the target's bytes, as http1srv's check)
            t = str(t, "utf-8")
            hs = []
            a = e + 2
            while a < p:
                e = buf.find(b"\r", a)
                k = buf.find(b":", a, e)
                if k <= a or not buf[a:k].replace(b"-", b"a").isalpha():
                    break
                try:
                    hs.append((buf[a:k].lower().decode(), buf[k + 1:e].strip(b" \t").decode()))
                except UnicodeError:  # (http1 takes such a value byte by byte)
                    break
                a = e + 2
            else:
                rb.consume(p + 3 - s)
                return ("GET", t, 1, hs)
    from . import http1srv
    return http1srv.parse_request_head(rb)


def _first(headers, name):
    for k, v in headers:
        if k == name:
            return v
    return None


def _has(headers, name, token):
    # the lowercase token among the comma-separated values of every header `name`, in any case
    for t in _list(headers, name):
        if t.lower() == token:
            return True
    return False


def _list(headers, name):
    # the comma-separated values of every lowercase header `name`, stripped, as sent
    out = []
    for k, v in headers:
        if k == name:
            out.extend([t.strip() for t in v.split(",") if t.strip()])
    return out


def check_request(method, target, minor, headers):
    """The server's check of an upgrade request (RFC 6455 §4.2.1) -> (key, [protocols],
    the Sec-WebSocket-Extensions value or ""). Raises HandshakeError(400 or 426)."""
    if method != "GET" or minor != 1:
        raise HandshakeError(400, "not a GET over HTTP/1.1")
    if _first(headers, "host") is None:
        raise HandshakeError(400, "no Host header")
    if not _has(headers, "upgrade", "websocket") or not _has(headers, "connection", "upgrade"):
        raise HandshakeError(426, "not a WebSocket upgrade")
    if _list(headers, "sec-websocket-version") != ["13"]:
        raise HandshakeError(426, "Sec-WebSocket-Version is not 13")
    key = (_first(headers, "sec-websocket-key") or "").strip()
    try:
        ok = len(binascii.a2b_base64(key)) == 16 and len(key) == 24
    except ValueError:
        ok = False
    if not ok:
        raise HandshakeError(400, "bad Sec-WebSocket-Key")
    ext = ", ".join([v for k, v in headers if k == "sec-websocket-extensions"])
    return key, _list(headers, "sec-websocket-protocol"), ext


def response(key, protocol=None, extensions=None):
    """The server's 101 head (bytes). protocol: one the client asked for; extensions: what
    proto/wspmd agreed (neither can hold a CR or LF)."""
    import hashlib  # (Sec-WebSocket-Accept: wshs.accept_value's, a client's module)
    h = ["HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade"
         "\r\nSec-WebSocket-Accept: ", binascii.b2a_base64(hashlib.sha1(
             key.encode() + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())[:-1].decode()]
    if protocol:
        h += ("\r\nSec-WebSocket-Protocol: ", protocol)
    if extensions:
        h += ("\r\nSec-WebSocket-Extensions: ", extensions)
    h.append("\r\n\r\n")
    return "".join(h).encode()


_REASONS = {400: "Bad Request", 403: "Forbidden", 426: "Upgrade Required",
            431: "Request Header Fields Too Large", 503: "Service Unavailable"}


def reject(status):
    """A refusal head with no body (status: one of _REASONS'); the server closes after it."""
    return ("HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n%s\r\n" % (
        status, _REASONS.get(status, "Error"),
        "Sec-WebSocket-Version: 13\r\n" if status == 426 else "")).encode()
