# Sans-I/O WebSocket opening handshake (RFC 6455 §4.2), the server's side: its check of an
# upgrade request -> the 101 head, or a status to refuse with (HandshakeError, as proto/wshs
# raises). Apart from wshs so that a client does not carry it (bench/ws_ram.py), and without
# it, so that a server does not carry the client's (2.4 KB of .mpy): its accept value and
# token lists are its own here
import binascii
from . import http1
from .http1srv import response_head
from .ws import ProtocolError as HandshakeError  # (wshs's HandshakeError, the same class)


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
    if http1.header(headers, "host") is None:
        raise HandshakeError(400, "no Host header")
    if not http1.has_token(headers, "upgrade", "websocket") or \
            not http1.has_token(headers, "connection", "upgrade"):
        raise HandshakeError(426, "not a WebSocket upgrade")
    if _list(headers, "sec-websocket-version") != ["13"]:
        raise HandshakeError(426, "Sec-WebSocket-Version is not 13")
    key = http1.header(headers, "sec-websocket-key", "").strip()
    try:
        ok = len(binascii.a2b_base64(key)) == 16 and len(key) == 24
    except ValueError:
        ok = False
    if not ok:
        raise HandshakeError(400, "bad Sec-WebSocket-Key")
    ext = ", ".join([v for k, v in headers if k == "sec-websocket-extensions"])
    return key, _list(headers, "sec-websocket-protocol"), ext


def response(key, protocol=None, extensions=None, headers=()):
    """The server's 101 head (bytes)."""
    import hashlib  # (Sec-WebSocket-Accept: wshs.accept_value's, a client's module)
    hs = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
          ("Sec-WebSocket-Accept", binascii.b2a_base64(hashlib.sha1(
              key.encode() + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())[:-1].decode())]
    if protocol:
        hs.append(("Sec-WebSocket-Protocol", protocol))
    if extensions:
        hs.append(("Sec-WebSocket-Extensions", extensions))
    hs.extend(headers)
    return response_head(101, "Switching Protocols", hs)


_REASONS = {400: "Bad Request", 403: "Forbidden", 426: "Upgrade Required",
            431: "Request Header Fields Too Large", 503: "Service Unavailable"}


def reject(status):
    """A refusal head with no body; the server closes after it."""
    hs = [("Content-Length", "0"), ("Connection", "close")]
    if status == 426:
        hs.append(("Sec-WebSocket-Version", "13"))
    return response_head(status, _REASONS.get(status, "Error"), hs)
