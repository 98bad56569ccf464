# SOCKS5 (RFC 1928) with username/password authentication (RFC 1929), sans-I/O: message
# builders and parsers fed bytes. Parsers return None when more bytes are needed and raise
# Socks5Error(kind, text) on bad input; the facade maps kinds to its codes.
# Kinds: METHOD (no acceptable method), AUTH (credentials refused), REPLY (the proxy could
# not reach the target; .code is the reply byte), DECODE (malformed answer), ENCODE (a
# request that cannot be written: a name over 255 bytes, credentials over 255 bytes).

METHOD = 0
AUTH = 1
REPLY = 2
DECODE = 3
ENCODE = 4

CONNECT = 1
UDP_ASSOCIATE = 3
NO_AUTH = 0
USER_PASS = 2


class Socks5Error(Exception):
    def __init__(self, kind, text, code=None):
        super().__init__(kind, text)
        self.kind = kind
        self.text = text
        self.code = code

    def __str__(self):
        return self.text


def greeting(with_auth):
    """The client's first message: the methods it offers."""
    return b"\x05\x02\x00\x02" if with_auth else b"\x05\x01\x00"


def parse_method(b):
    """-> the method the proxy chose (NO_AUTH or USER_PASS), or None (need 2 bytes)."""
    if len(b) < 2:
        return None
    if b[0] != 5:
        raise Socks5Error(DECODE, "not a SOCKS5 answer (version %d)" % b[0])
    m = b[1]
    if m not in (NO_AUTH, USER_PASS):
        raise Socks5Error(METHOD, "the proxy accepts none of the offered methods")
    return m


def auth_request(user, password):
    u = (user or "").encode()
    p = (password or "").encode()
    if not 0 < len(u) < 256 or len(p) > 255:
        raise Socks5Error(ENCODE, "username and password must be 1-255 and 0-255 bytes")
    return bytes((1, len(u))) + u + bytes((len(p),)) + p


def parse_auth(b):
    """-> True when the proxy accepted the credentials, None (need 2 bytes)."""
    if len(b) < 2:
        return None
    if b[0] != 1:
        raise Socks5Error(DECODE, "bad authentication answer (version %d)" % b[0])
    if b[1] != 0:
        raise Socks5Error(AUTH, "the proxy refused the username or password")
    return True


def _addr(host, port):
    """ATYP + address + port for host (an IPv4/IPv6 literal or a name)."""
    if not 0 <= port <= 65535:
        raise Socks5Error(ENCODE, "port out of range")
    p = bytes((port >> 8, port & 255))
    a = _ip4(host)
    if a is not None:
        return b"\x01" + a + p
    if ":" in host:
        a = _ip6(host)
        if a is not None:
            return b"\x04" + a + p
    h = host.encode()
    if not 0 < len(h) < 256:
        raise Socks5Error(ENCODE, "host name must be 1-255 bytes")
    return bytes((3, len(h))) + h + p


def _ip4(s):
    parts = s.split(".")
    if len(parts) != 4:
        return None
    out = bytearray(4)
    for i in range(4):
        x = parts[i]
        if not x or len(x) > 3 or not x.isdigit() or int(x) > 255:
            return None
        out[i] = int(x)
    return bytes(out)


def _ip6(s):
    if "::" in s:
        left, right = s.split("::", 1)
        lp = left.split(":") if left else []
        rp = right.split(":") if right else []
        miss = 8 - len(lp) - len(rp)
        if miss < 1:
            return None
        parts = lp + ["0"] * miss + rp
    else:
        parts = s.split(":")
    if len(parts) != 8:
        return None
    out = bytearray(16)
    for i in range(8):
        x = parts[i]
        if not 0 < len(x) <= 4:
            return None
        try:
            v = int(x, 16)
        except ValueError:
            return None
        out[2 * i] = v >> 8
        out[2 * i + 1] = v & 255
    return bytes(out)


def request(cmd, host, port):
    """CONNECT or UDP ASSOCIATE to host:port."""
    return bytes((5, cmd, 0)) + _addr(host, port)


def _parse_addr(b, i):
    """(host, port, end) of the address at b[i] (ATYP first), or None if incomplete."""
    if len(b) <= i:
        return None
    t = b[i]
    if t == 1:
        end = i + 7
        if len(b) < end:
            return None
        host = "%d.%d.%d.%d" % (b[i + 1], b[i + 2], b[i + 3], b[i + 4])
    elif t == 4:
        end = i + 19
        if len(b) < end:
            return None
        host = ":".join("%x" % (b[j] << 8 | b[j + 1]) for j in range(i + 1, i + 17, 2))
    elif t == 3:
        if len(b) <= i + 1:
            return None
        n = b[i + 1]
        end = i + 2 + n + 2
        if len(b) < end:
            return None
        try:
            host = bytes(b[i + 2:i + 2 + n]).decode()
        except UnicodeError:
            raise Socks5Error(DECODE, "bad host name in answer")
    else:
        raise Socks5Error(DECODE, "bad address type %d" % t)
    return host, b[end - 2] << 8 | b[end - 1], end


REPLY_MAX = 262  # the longest reply: a host name of 255 bytes


def reply_size(b):
    """How many bytes the reply that starts with b takes, as far as b tells: 5 until its
    address type (and a name's length) is in, then all of it. A reader that reads no
    further leaves what follows for the application (a target that speaks first)."""
    if len(b) < 5:
        return 5
    t = b[3]
    return 10 if t == 1 else 22 if t == 4 else 7 + b[4] if t == 3 else 5  # (bad: parse_reply)


def parse_reply(b):
    """-> (bound host, bound port, bytes used) once the whole reply is there, else None.
    A reply other than 0 (succeeded) raises Socks5Error(REPLY) with that code."""
    if len(b) < 4:
        return None
    if b[0] != 5 or b[2] != 0:
        raise Socks5Error(DECODE, "not a SOCKS5 reply")
    if b[1] != 0:
        raise Socks5Error(REPLY, "the proxy could not reach the target (reply %d)" % b[1], b[1])
    return _parse_addr(b, 3)


def udp_header(host, port):
    """What goes before a datagram sent through a UDP association (no fragments)."""
    return b"\x00\x00\x00" + _addr(host, port)


def parse_udp(b):
    """(source host, source port, payload offset) of a relayed datagram; None for a
    fragment (fragments are not reassembled: dropped, as RFC 1928 allows)."""
    if len(b) < 4 or b[0] or b[1]:
        raise Socks5Error(DECODE, "bad UDP relay header")
    if b[2]:
        return None
    r = _parse_addr(b, 3)
    if r is None:
        raise Socks5Error(DECODE, "truncated UDP relay header")
    return r
