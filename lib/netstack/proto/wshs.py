# Sans-I/O WebSocket opening handshake (RFC 6455 §4), the client's side and what both roles
# share, on proto/http1's head parsers and writers: the key and its accept value, the
# client's upgrade request and its check of the answer. The server's side (its check of a
# request -> a 101 or a status to refuse with) is proto/wssrv: a client does not load it.
# Failures raise HandshakeError(status, text) (.code: the status): on the server the status
# to answer with, on the client the status the server sent (101 when the 101 itself was
# wrong).
import binascii
import hashlib
from . import http1
# HandshakeError(status, text or its number in proto/wsmsgs): .code is the HTTP status,
# .msg the text. proto.ws's exception class under this name (a class of its own costs
# ~450 B of heap from ROMFS)
from .ws import ProtocolError as HandshakeError


def client_key(b):
    """Sec-WebSocket-Key from 16 random bytes b."""
    return binascii.b2a_base64(b)[:-1].decode()


def accept_value(key):
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (str)."""
    return binascii.b2a_base64(hashlib.sha1(
        key.encode() + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())[:-1].decode()


def request(host, target, key, protocol=None, headers=(), offer=None):
    """The client's upgrade request head (bytes). headers: extra (name, value) pairs;
    ones the handshake owns (Host, Upgrade, Connection, Sec-WebSocket-*) are left out. offer: the Sec-WebSocket-Extensions value."""
    hs = [("Host", host), ("Sec-WebSocket-Key", key)]
    if protocol:
        hs.append(("Sec-WebSocket-Protocol", protocol))
    if offer:
        hs.append(("Sec-WebSocket-Extensions", offer))
    for k, v in headers:
        n = k.lower()  # the handshake owns these, and every Sec-WebSocket-* header
        if n != "host" and n != "upgrade" and n != "connection" \
                and not n.startswith("sec-websocket-"):
            hs.append((k, v))
    # the fixed lines as one constant (each str of a header pair is an object on the heap
    # when the module loads, even from ROMFS), before the head's closing CRLF
    return http1.request_head("GET", target, hs)[:-2] + \
        b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"


def deflate_offer(n=15):
    """The client's permessage-deflate offer (RFC 7692; the rest of it is proto/wspmd,
    loaded only once a server agreed). n: the largest window (bits) this side can
    inflate with."""
    s = "permessage-deflate; server_no_context_takeover; client_no_context_takeover; " \
        "client_max_window_bits"
    if n < 15:
        s += "; server_max_window_bits=%d" % n
    return s


def check_response(status, headers, key, protocol=None):
    """The client's check of the server's answer (RFC 6455 §4.1) -> (protocol or "",
    the Sec-WebSocket-Extensions value or ""). The caller checks the extensions."""
    if status != 101:
        raise HandshakeError(status, 18, status)  # the server answered %d, not 101
    if not http1.has_token(headers, "upgrade", "websocket"):
        raise HandshakeError(101, 19)  # no 'Upgrade: websocket' in the answer
    if not http1.has_token(headers, "connection", "upgrade"):
        raise HandshakeError(101, 20)  # no 'Connection: Upgrade' in the answer
    h = "sec-websocket-"  # (+ the rest at run time: one str constant on the heap, not three)
    if http1.header(headers, h + "accept", "").strip() != accept_value(key):
        raise HandshakeError(101, 21)  # wrong Sec-WebSocket-Accept
    got = http1.header(headers, h + "protocol", "").strip()
    if got:  # (loops, not comprehensions: each of those is a function object in the heap)
        for p in protocol.split(",") if protocol else ():
            if p.strip() == got:
                break
        else:
            raise HandshakeError(101, 22)  # the server chose a protocol that was not asked for
    h += "extensions"
    ext = []
    for k, v in headers:
        if k == h:
            ext.append(v)
    ext = ", ".join(ext)
    return got, ext
