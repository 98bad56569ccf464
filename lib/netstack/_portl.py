# The seam's defaults for listening, accepting and addresses: what a server needs (a
# webSocket or socket server, and every _port.addr(Conn.peer)). Part of the contract
# declared in _port.py (read that first); _port looks here for the names it does not have
# that start with "a" or "l" (addr, accept, listen, listen_socket, local_addr), and in
# _portx for the rest: a webSocket server does not load _portx (~7.7 KB of heap from .mpy:
# datagrams, socket options, files). Loaded on first use.
import socket


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


def listen(s, backlog):
    s.listen(backlog)


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


def local_addr(s):
    """The socket's own sockaddr, or None: MicroPython's sockets have no getsockname."""
    f = getattr(s, "getsockname", None)
    return f() if f is not None else None
