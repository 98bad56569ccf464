# The seam's less used defaults: datagrams, socket options, files (listening, accepting
# and addresses: _portl; TLS: _porttls). Part of the contract declared in _port.py (read that first); a
# port's netstack_port overrides these names there, and _port looks here only for a name
# it does not have. Loaded on first use.
import socket
import time

# Seconds between 1970-01-01 and this runtime's time.time() zero (ports counting from 2000).
EPOCH = 946684800 if time.gmtime(0)[0] == 2000 else 0


# Where HttpResponseCache.flush() writes its files (one per entry). None: default_cache_dir()
# when a cache is created; tests set a temporary dir.
CACHE_DIR = None
# usingProxy: true takes this {host, port, ...}; None: no system proxy.
DEFAULT_PROXY = None
# Socket options by neutral name -> (level, option); None: the socket module's numbers,
# Linux's where it has none (sockopt, below, reads the port's). lwIP boards set it (their
# numbers differ).
SOCKOPTS = None


def event():
    import asyncio
    return asyncio.Event()


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


def sockopt(s, name, value):
    """Set an option by neutral name: reuseaddr, keepalive, nodelay, broadcast, rcvbuf,
    sndbuf, linger (struct linger bytes), oobinline, ttl, multicast_ttl, multicast_loop,
    multicast_if (interface address bytes), multicast_all, add_membership, drop_membership
    (value: int, or the ip_mreq bytes for the two memberships). False: not available
    here; s None: only tell whether it is available.
    The table is the port's SOCKOPTS (netstack_port), else the defaults below."""
    global _opts
    t = _opts
    if t is None:
        try:
            from netstack_port import SOCKOPTS as t
        except ImportError:
            t = None
        if t is None:
            g = lambda n, d: getattr(socket, n, d)
            sol = g("SOL_SOCKET", 1)
            t = {"reuseaddr": (sol, g("SO_REUSEADDR", 2)), "keepalive": (sol, g("SO_KEEPALIVE", 9)),
                 "broadcast": (sol, g("SO_BROADCAST", 6)), "sndbuf": (sol, 7), "rcvbuf": (sol, 8),
                 "nodelay": (6, 1), "ttl": (0, 2), "multicast_ttl": (0, 33),
                 "multicast_loop": (0, 34), "add_membership": (0, g("IP_ADD_MEMBERSHIP", 35)),
                 "drop_membership": (0, g("IP_DROP_MEMBERSHIP", 36)),
                 "linger": (sol, 13), "oobinline": (sol, 10), "multicast_if": (0, 32),
                 "multicast_all": (0, 49)}  # Linux: 0 = only the groups this socket joined
        _opts = t
    lo = t.get(name)
    if lo is None:
        return False
    if s is not None:  # None: only tell whether the option is available
        s.setsockopt(lo[0], lo[1], value)
    return True


_opts = None


def sock_error(s):
    """After a non-blocking connect was reported writable: its errno, 0 when connected.
    No getsockopt(SO_ERROR) on MicroPython: a 1-byte MSG_PEEK tells, consuming nothing."""
    try:
        s.recv(1, getattr(socket, "MSG_PEEK", 2))
    except OSError as e:
        if e.args[0] not in (11, 115, 119):  # EAGAIN (unix), EINPROGRESS/EAGAIN (lwIP)
            return e.args[0]
    except TypeError:
        pass  # a recv without flags (lwIP ports): the first read will tell
    return 0


def fileno(s):
    """The socket's file descriptor, or -1 where sockets have none."""
    f = getattr(s, "fileno", None)
    return f() if f is not None else -1


def unix_addr(path):
    """The AF_UNIX address for path (MicroPython takes struct sockaddr_un as bytes), or None
    where this runtime has no local sockets."""
    af = getattr(socket, "AF_UNIX", None)
    if af is None:
        return None
    return bytes((af & 255, af >> 8)) + path.encode() + b"\0"


# netstack.socket's sizes: a server accepts at most MAX_CLIENTS connections at once (more
# are closed at once; OpenHarmony: 1024) with this listen backlog (OpenHarmony: 511); a
# socket's reads take at most RECV_BUF bytes unless receiveBufferSize says otherwise
# (OpenHarmony: 8192). Boards set smaller ones in their netstack_port.
MAX_CLIENTS = 64
BACKLOG = 511
RECV_BUF = 4096


def random_bytes(n):
    import os
    try:
        return os.urandom(n)
    except (AttributeError, NotImplementedError):
        import random
        return bytes(random.getrandbits(8) for _ in range(n))


def default_cache_dir():
    """HttpResponseCache's directory when CACHE_DIR is None: the user's cache dir on the
    unix port ($XDG_CACHE_HOME/netstack or ~/.cache/netstack), /cache on a board."""
    import sys
    if sys.platform in ("linux", "darwin"):
        import os
        g = os.getenv
        return (g("XDG_CACHE_HOME") or (g("HOME") or "/tmp") + "/.cache") + "/netstack"
    return "/cache"


