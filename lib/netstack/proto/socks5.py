# SOCKS5 (RFC 1928) with username/password authentication (RFC 1929), sans-I/O: message
# builders and parsers fed bytes. Parsers return None when more bytes are needed and raise
# Socks5Error(kind, text) (proto's ProtoError) on bad input; the facade maps kinds to its
# codes. Kinds: METHOD (no acceptable method), AUTH (credentials refused), REPLY (the proxy
# could not reach the target; .status is the reply byte), DECODE (malformed answer), ENCODE (a
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


from . import ProtoError as Socks5Error  # (kind: above; message; status: the reply code)


def greeting(with_auth):
    """The client's first message: the methods it offers."""
    return b"\x05\x02\x00\x02" if with_auth else b"\x05\x01\x00"


def _two(b, version):
    # the second byte of a 2-byte answer of this version, or None (need 2 bytes)
    if len(b) < 2:
        return None
    if b[0] != version:
        raise Socks5Error(DECODE, "not a SOCKS5 answer (version %d)" % b[0])
    return b[1]


def parse_method(b):
    """-> the method the proxy chose (NO_AUTH or USER_PASS), or None (need 2 bytes)."""
    m = _two(b, 5)
    if m is not None and m not in (NO_AUTH, USER_PASS):
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
    r = _two(b, 1)
    if r:
        raise Socks5Error(AUTH, "the proxy refused the username or password")
    return None if r is None else True


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
    p = s.split(".")
    if len(p) == 4:
        try:
            return bytes(int(x) for x in p)  # (ValueError: not a number, or over 255)
        except ValueError:
            pass
    return None


def _ip6(s):
    p = s.split(":")
    if "::" in s:
        left, right = s.split("::", 1)
        lp = left.split(":") if left else []
        rp = right.split(":") if right else []
        p = lp + ["0"] * (8 - len(lp) - len(rp) or 9) + rp  # ("::" is 1 group or more)
    out = b""
    try:
        for x in p:
            v = int(x, 16) if 0 < len(x) <= 4 else -1  # (-1 and a sign: ValueError below)
            out += bytes((v >> 8, v & 255))
    except ValueError:
        return None
    return out if len(p) == 8 else None


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
