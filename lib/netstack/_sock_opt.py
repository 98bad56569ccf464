# netstack.socket's ExtraOptions: checking them and putting them on a socket. Loaded by the
# first setExtraOptions (a program that sets no option never loads it: RAM).
# (_sock's helpers come as arguments: this module imports nothing of _sock's, so imports
# point one way)
from ._err import BusinessError, param
from . import _port


_EOPNOTSUPP = const(95)
_RBUF_MAX = const(262144)  # as _sock.RBUF_MAX

# OpenHarmony extra option -> the seam's option name (_port.sockopt); "" for the ones the
# library honours itself
OPTS = {"receiveBufferSize": "rcvbuf", "sendBufferSize": "sndbuf", "reuseAddress": "reuseaddr",
        "socketTimeout": "", "keepAlive": "keepalive", "OOBInline": "oobinline",
        "TCPNoDelay": "nodelay", "socketLinger": "linger", "tcpFastOpen": "tcp_fastopen",
        "broadcast": "broadcast"}


def extra_options(o, allowed, uint):
    """Checked ExtraOptions -> {name: value}; 401 for a bad value (at the call).
    unsupported() then names the ones this port cannot set."""
    if not isinstance(o, dict):
        raise param("options must be an ExtraOptions object")
    out = {}
    allowed = allowed.split()  # (the class's OPTS: one str of names)
    for k in o:
        v = o[k]
        if v is None or k not in allowed:
            continue  # a field this socket type does not have: ignored, as OpenHarmony does
        if k in ("receiveBufferSize", "sendBufferSize", "socketTimeout"):
            uint(v, k, 0x7fffffff)
        elif k == "socketLinger":
            if not isinstance(v, dict) or not isinstance(v.get("on"), bool):
                raise param("socketLinger must be {on: boolean, linger: 0-65535}")
            uint(v.get("linger"), "socketLinger.linger", 65535)
        elif not isinstance(v, bool):
            raise param(k + " must be a boolean")
        out[k] = v
    return out


def unsupported(o, base):
    """base + EOPNOTSUPP naming every option in o this port cannot set (reported, never
    silently dropped)."""
    bad = []
    for k in o:
        # receiveBufferSize is also the library's read size: honoured on every port
        if OPTS[k] and k != "receiveBufferSize" and not _port.sockopt(None, OPTS[k], 0):
            bad.append(k)
    if bad:
        raise BusinessError(base + _EOPNOTSUPP, "not supported on this port: " + ", ".join(bad))


def pairs(opts):
    """Checked options -> [(seam option name, value)] for the socket."""
    out = []
    for k in opts or ():
        v = opts[k]
        n = OPTS[k]
        if not n:
            continue
        if k == "socketLinger":
            lg = v["linger"]
            v = bytes((int(v["on"]), 0, 0, 0, lg & 255, lg >> 8, 0, 0))  # struct linger
        elif k in ("receiveBufferSize", "sendBufferSize"):
            if not v:
                continue  # 0: the system's default
            v = min(v, _RBUF_MAX)
        else:
            v = int(v)
        out.append((n, v))
    return out
