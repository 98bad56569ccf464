# The seam's less used defaults: addresses, listening and accepting, datagrams, socket
# options, TLS, files. Part of the contract declared in _port.py (read that first); a
# port's netstack_port overrides these names there, and _port looks here only for a name
# it does not have. Loaded on first use.
import socket


def event():
    import asyncio
    return asyncio.Event()


def addr(sa):
    """A sockaddr as (host str, port int, 4 or 6). The unix port's are raw bytes; lwIP's and
    CPython's are tuples."""
    if isinstance(sa, tuple):
        h = sa[0]
        return h, sa[1], 6 if ":" in h else 4
    f, a, p = socket.sockaddr(sa)[:3]
    return socket.inet_ntop(f, a), p, 6 if f == socket.AF_INET6 else 4


def listen_socket(family, sa, backlog):
    """A non-blocking listening TCP socket bound to sa (SO_REUSEADDR set)."""
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(sa)
        s.listen(backlog)
        s.setblocking(False)
    except BaseException:
        s.close()
        raise
    return s


def accept(ls):
    """-> (non-blocking socket, peer sockaddr), or None when no connection is waiting."""
    try:
        s, sa = ls.accept()
    except OSError as e:
        if e.args[0] in (11, 115, 119):  # EAGAIN (unix), EINPROGRESS/EAGAIN (lwIP)
            return None
        raise
    s.setblocking(False)
    return s, sa


def udp_socket(family):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setblocking(False)
    return s


def bind(s, sa):
    s.bind(sa)


def sendto(s, data, sa):
    """-> bytes sent, or None when it would block."""
    try:
        return s.sendto(data, sa)
    except OSError as e:
        if e.args[0] == 11:
            return None
        raise


def recvfrom(s, n):
    """-> (bytes, peer sockaddr), or None when nothing is waiting."""
    try:
        return s.recvfrom(n)
    except OSError as e:
        if e.args[0] == 11:
            return None
        raise


def local_addr(s):
    """The socket's own sockaddr, or None: MicroPython's sockets have no getsockname."""
    f = getattr(s, "getsockname", None)
    return f() if f is not None else None


def linux_sockopts():
    """_port.SOCKOPTS when a port sets none: the socket module's numbers where it has them,
    Linux's for the rest."""
    g = lambda n, d: getattr(socket, n, d)
    sol = g("SOL_SOCKET", 1)
    return {"reuseaddr": (sol, g("SO_REUSEADDR", 2)), "keepalive": (sol, g("SO_KEEPALIVE", 9)),
            "broadcast": (sol, g("SO_BROADCAST", 6)), "sndbuf": (sol, 7), "rcvbuf": (sol, 8),
            "nodelay": (6, 1), "ttl": (0, 2), "multicast_ttl": (0, 33), "multicast_loop": (0, 34),
            "add_membership": (0, g("IP_ADD_MEMBERSHIP", 35)),
            "drop_membership": (0, g("IP_DROP_MEMBERSHIP", 36))}


def tls_context(server_side=False):
    import tls
    return tls.SSLContext(tls.PROTOCOL_TLS_SERVER if server_side else tls.PROTOCOL_TLS_CLIENT)


def tls_verify(ctx, ca_ders, verify):
    """Trust each DER certificate in `ca_ders`; verify=False turns checking off."""
    import tls
    for der in ca_ders:
        ctx.load_verify_locations(der)
    ctx.verify_mode = tls.CERT_REQUIRED if verify else tls.CERT_NONE


def tls_cert_chain(ctx, cert_der, key_der):
    ctx.load_cert_chain(cert_der, key_der)


def tls_pin(ctx, hook):
    """Run hook(cert DER as a memoryview valid only during the call, depth) on each
    certificate of the server's chain inside the handshake, root first, the server's at
    depth 0; a non-zero (negative mbedTLS code) return fails the handshake with
    OSError(code, text). mbedTLS skips its verify callback under CERT_NONE, so
    verification off becomes CERT_OPTIONAL: chain and host errors pass, the hook runs."""
    import tls
    if ctx.verify_mode == tls.CERT_NONE:
        ctx.verify_mode = tls.CERT_OPTIONAL
    ctx.verify_callback = hook


def tls_wrap(ctx, s, server_hostname=None, server_side=False):
    """The TLS socket over the connected s; the handshake runs on the first read or write
    (mbedTLS cannot be stepped without data on MicroPython)."""
    s = ctx.wrap_socket(s, server_side=server_side, do_handshake_on_connect=False,
                        server_hostname=server_hostname)
    s.setblocking(False)
    return s


def peer_cert(s):
    """DER of the peer's certificate, or None where the port cannot tell."""
    try:
        return s.getpeercert(True)
    except (AttributeError, OSError):
        return None


def random_bytes(n):
    import os
    try:
        return os.urandom(n)
    except (AttributeError, NotImplementedError):
        import random
        return bytes(random.getrandbits(8) for _ in range(n))


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def default_cache_dir():
    """HttpResponseCache's directory when CACHE_DIR is None: the user's cache dir on the
    unix port ($XDG_CACHE_HOME/netstack or ~/.cache/netstack), /cache on a board."""
    import sys
    if sys.platform in ("linux", "darwin"):
        import os
        g = os.getenv
        return (g("XDG_CACHE_HOME") or (g("HOME") or "/tmp") + "/.cache") + "/netstack"
    return "/cache"


