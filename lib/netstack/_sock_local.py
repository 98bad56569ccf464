# LocalSocket, LocalSocketServer and LocalSocketConnection of @ohos.net.socket: stream
# sockets on a file-system path (AF_UNIX), where the runtime has them (the unix port,
# CPython). Elsewhere the constructors raise 801 (capability not supported on this port).
# Loaded by the first constructLocalSocketInstance (the server: _sock_local_srv). They are
# the TCP classes with path addresses: the client is a TCPSocket, the server a
# TCPSocketServer (its accept loop, client limit and connections), each connection a
# TCPSocketConnection.
from ._err import BusinessError, param
from . import _port
from ._sock import TCPSocket, CLIENT_BASE, BOUND, CONNECTED, CLOSED, error_of, op, deadline, uint
from .transport import tcp as _tcp


_EBADF = const(9)
_EINVAL = const(22)
_EISCONN = const(106)
_E_UNSUPPORTED = const(801)
LOCAL_OPTS = "receiveBufferSize sendBufferSize reuseAddress socketTimeout"  # (_sock.TCP_OPTS)


def supported():
    if getattr(_port.socket, "AF_UNIX", None) is None or _port.unix_addr("x") is None:
        raise BusinessError(_E_UNSUPPORTED, "local sockets are not supported on this port")


def _path(a, what="address"):
    """LocalAddress -> its path."""
    if not isinstance(a, dict):
        raise param(what + " must be a LocalAddress object")
    p = a.get("address")
    if not isinstance(p, str) or not p or len(p) > 107:
        raise param(what + ".address must be a path (1-107 characters)")
    return p


class _Local:
    """What local sockets, servers and connections change in the TCP classes: path
    addresses, the client codes (2301000 + errno), their options, the
    LocalSocketMessageInfo payload, getExtraOptions."""
    BASE = CLIENT_BASE
    OPTS = LOCAL_OPTS
    _path = None     # own path (bound or listening)
    _peer = None     # the path connected to

    def _deliver(self, mv, n):
        if self._st & CLOSED or not self._has("message"):
            return
        try:
            m = bytes(mv[:n])
        except MemoryError:
            if n < 512:
                raise
            h = n >> 1
            self._deliver(mv, h)
            self._deliver(mv[h:], n - h)
            return
        self._emit("message", {"message": m, "address": self._peer or self._path or "",
                               "size": n})

    async def _local_addr(self):
        if self._path is None or self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket is not bound")
        return self._path

    def getExtraOptions(self, callback=None):
        return op(self, self._get_opts(), callback)

    async def _get_opts(self):
        self._check_state()
        o = self._opts or {}
        return {"receiveBufferSize": self._rbs(), "sendBufferSize": o.get("sendBufferSize", 0),
                "reuseAddress": o.get("reuseAddress", False),
                "socketTimeout": o.get("socketTimeout", 0)}


class LocalSocket(_Local, TCPSocket):
    def __init__(self):
        supported()

    def bind(self, address, callback=None):
        return op(self, self._bind(_path(address)), callback)

    async def _bind(self, p):
        self._check_state(BOUND | CONNECTED, _EINVAL, "bound")
        try:
            self._s = _tcp.unix_socket(p)[0]
        except Exception as e:
            raise error_of(e)
        self._path = p
        self._st |= BOUND

    def connect(self, options, callback=None):
        if not isinstance(options, dict):
            raise param("connect(options: LocalConnectOptions)")
        tmo = options.get("timeout")
        tmo = 0 if tmo is None else uint(tmo, "timeout", 0x7fffffff)
        return op(self, self._connect(_path(options.get("address")), tmo), callback)

    async def _connect(self, p, tmo):
        self._check_state(CONNECTED, _EISCONN, "connected")
        s = self._s
        try:
            if s is None:
                s = self._s = _tcp.unix_socket()[0]
            aw = _tcp.connect_sock(s, _port.unix_addr(p))
            conn = await (deadline(aw, tmo, CLIENT_BASE) if tmo else aw)
        except BaseException as e:
            self._s = None
            if s is not None:
                _port.close(s)
            if self._st & BOUND:
                self._st &= ~BOUND
            if isinstance(e, Exception):
                raise error_of(e)
            raise
        self._s = None
        self._peer = p
        conn.peer = None
        self._start(conn)
        self._emit("connect")
