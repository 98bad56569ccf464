# Sans-I/O WebSocket opening handshake (RFC 6455 §4), the client's side and what both roles
# share: the key and its accept value, the client's upgrade request and its check of the
# answer. The server's side (its check of a request -> a 101 or a status to refuse with) is
# proto/wssrv: a client does not load it.
# The client's usual handshake (a plain ws/wss URL, no protocol or extra headers, a clean
# 101 head) runs here without proto/http1 (from ROMFS 2.6 KB of heap and ~45 interned
# names on the client's path, bench/ws_ram.py); split, request and response hand anything
# else to http1, loaded then, so a URL or head is taken or refused as http1 does.
# Failures raise HandshakeError(status, text) (.code: the status): on the server the status
# to answer with, on the client the status the server sent (101 when the 101 itself was
# wrong).
import binascii
# HandshakeError(status, text or its number in proto/wsmsgs): .code is the HTTP status,
# .msg the text. proto.ws's exception class under this name (a class of its own costs
# ~450 B of heap from ROMFS)
from .ws import ProtocolError as HandshakeError


def split(url):
    """A ws/wss URL -> (scheme, host, port, target, Host header value), as http1's
    split_url and host_header give them. Here the plain form (ASCII, host[:port], no
    userinfo, IPv6 literal or fragment), the rest by http1: ProtoError for a bad URL."""
    i = url.find("://")
    sc = url[:i] if i > 0 else None
    e = url.find("/", i + 3)
    if e < 0:
        e = len(url)
    h = url[i + 3:e]
    d = 80 if sc == "ws" else 443  # (numbers: a str constant of a few characters is a name)
    k = h.find(":")
    p = h[k + 1:]
    if k < 0:
        k = len(h)
        p = str(d)
    b = url.encode()
    if (sc == "ws" or sc == "wss") and k and min(b) > 32 and max(b) < 127 and p.isdigit() \
            and len(p) < 6 and "#" not in url and "?" not in h and "@" not in h \
            and "[" not in h and "]" not in h and int(p) < 65536:
        i = int(p)
        h = h[:k].lower()
        return (sc, h, i, url[e:] or "/", h if i == d else h + ":" + str(i))
    from . import http1
    u = http1.split_url(url)
    return u[:4] + (http1.host_header(u[1], u[2], u[0]),)


def client_key(b):
    """Sec-WebSocket-Key from 16 random bytes b."""
    return binascii.b2a_base64(b)[:-1].decode()


def accept_value(key):
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (str)."""
    import hashlib  # (once a handshake: not a global, whose entry grew the module's table)
    return binascii.b2a_base64(hashlib.sha1(
        key.encode() + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())[:-1].decode()


def request(host, target, key, protocol=None, headers=(), extensions=None):
    """The client's upgrade request head, a str (on MicroPython written as it is, through
    memoryview: no bytes copy at the handshake's peak); host, target: split()'s. headers:
    extra (name, value) pairs; ones the handshake owns (Host, Upgrade, Connection,
    Sec-WebSocket-*) are left out. extensions: the Sec-WebSocket-Extensions value (the
    offer)."""
    u = []
    for k, v in headers:
        n = k.lower()  # the handshake owns these, and every Sec-WebSocket-* header
        if n != "host" and n != "upgrade" and n != "connection" \
                and not n.startswith("sec-websocket-"):
            u.append((k, v))
    e = ""
    if protocol or u:  # the program's text in the head: http1 checks it as it writes it
        from . import http1
        if protocol:
            u.insert(0, ("Sec-WebSocket-Protocol", protocol))
        e = http1.request_head("GET", "/", u)[16:-2].decode()  # (its header lines)
    # (joined: one allocation of the head's size; a format grows its result in steps of
    # 16 bytes, each a new block where the next ones are taken: the handshake's peak)
    return "".join(("GET ", target, " HTTP/1.1\r\nHost: ", host, "\r\nSec-WebSocket-Key: ", key,
                    "\r\nSec-WebSocket-Extensions: " if extensions else "", extensions or "",
                    "\r\n", e, "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Version: 13\r\n\r\n"))


def response(rb):
    """The server's answer in RecvBuf rb -> None (more bytes needed) or (status, headers),
    the head consumed; headers [(lowercase name, value)] as http1 gives them. A clean 101
    head here (CRLF lines, names of letters and '-', UTF-8 values, <= 64 lines), any other
    by http1: ProtoError for a bad one."""
    buf = rb.buf
    s = rb.start
    p = buf.find(b"\n\r\n", s, rb.end)  # (http1's end of a head: LF CRLF, or LF LF)
    if p < 0 and buf.find(b"\n\n", s, rb.end) < 0 and len(rb) < len(buf):
        return None
    n = buf.count(b"\r\n", s, p + 1) if p > s else -1  # (lines found in rb: no copy of the head)
    hs = []
    if n == buf.count(b"\n", s, p + 1) == buf.count(b"\r", s, p + 1) < 66 \
            and buf.find(0, s, p) < 0 and buf.find(b"\n\n", s, p) < 0 \
            and buf.find(b"HTTP/1.1 101", s, s + 12) == s and buf[s + 12] in b" \r":
        a = buf.find(b"\n", s) + 1
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
            return (101, hs)
    from . import http1
    h = http1.parse_response_head(rb)
    return None if h is None else (h[0], h[3])


def deflate_offer(n=15):
    """The client's permessage-deflate offer (RFC 7692; the rest of it is proto/wspmd,
    loaded only once a server agreed). n: the largest window (bits) this side can
    inflate with."""
    o = "permessage-deflate; server_no_context_takeover; client_no_context_takeover; " \
        "client_max_window_bits"
    # (joined: one allocation of its size, where a format grows it in steps)
    return "".join((o, "; server_max_window_bits=", str(n))) if n < 15 else o


def tokens(headers, name):
    """The comma-separated tokens of every lowercase header `name`, stripped, lowercased."""
    out = []
    for k, v in headers:
        if k == name:
            for t in v.split(","):
                t = t.strip()
                if t:
                    out.append(t.lower())
    return out


def check_response(status, headers, key, protocol=None):
    """The client's check of the server's answer (RFC 6455 §4.1) -> (protocol or "",
    the Sec-WebSocket-Extensions value or ""). The caller checks the extensions."""
    if status != 101:
        raise HandshakeError(status, 18, status)  # the server answered %d, not 101
    if "websocket" not in tokens(headers, "upgrade"):
        raise HandshakeError(101, 19)  # no 'Upgrade: websocket' in the answer
    if "upgrade" not in tokens(headers, "connection"):
        raise HandshakeError(101, 20)  # no 'Connection: Upgrade' in the answer
    acc = got = None  # (the first of each, as http1.header; every extensions line)
    ext = []
    for k, v in headers:
        if k.startswith("sec-websocket-"):
            k = k[14:]
            if k == "accept" and acc is None:
                acc = v
            elif k == "protocol" and got is None:
                got = v
            elif k == "extensions":
                ext.append(v)
    if (acc or "").strip() != accept_value(key):
        raise HandshakeError(101, 21)  # wrong Sec-WebSocket-Accept
    got = (got or "").strip()
    if got:  # (loops, not comprehensions: each of those is a function object in the heap)
        for p in protocol.split(",") if protocol else ():
            if p.strip() == got:
                break
        else:
            raise HandshakeError(101, 22)  # the server chose a protocol that was not asked for
    return got, ", ".join(ext)
