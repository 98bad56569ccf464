# LocalSocket, LocalSocketServer and LocalSocketConnection of @ohos.net.socket: stream
# sockets on a file-system path (AF_UNIX), where the runtime has them (the unix port,
# CPython). Elsewhere the constructors raise 801 (capability not supported on this port).
# Loaded by the first constructLocalSocketInstance / constructLocalSocketServerInstance.
from ._err import BusinessError, param
from . import _aw, _port
from ._sock import (Base, Stream, CLIENT_BASE, BOUND, CONNECTED, CLOSED, LISTENING,
                    data_of, error_of, op, deadline, uint)
from .transport import tcp as _tcp

try:
    from micropython import const
except ImportError:
    const = lambda x: x

_EBADF = const(9)
_EINVAL = const(22)
_EISCONN = const(106)
_E_UNSUPPORTED = const(801)
LOCAL_OPTS = ("receiveBufferSize", "sendBufferSize", "reuseAddress", "socketTimeout")


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
    """What local sockets and connections add to a stream: path addresses, the
    LocalSocketMessageInfo payload, getExtraOptions."""
    _path = None     # own path (bound or listening)
    _peer = None     # the path connected to
    OPTS = LOCAL_OPTS

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
        if self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket closed")
        o = self._opts or {}
        return {"receiveBufferSize": self._rbs(), "sendBufferSize": o.get("sendBufferSize", 0),
                "reuseAddress": o.get("reuseAddress", False),
                "socketTimeout": o.get("socketTimeout", 0)}


class LocalSocket(_Local, Stream):
    EVENTS = ("message", "connect", "close", "error")
    _s = None

    def __init__(self):
        supported()

    def _sock(self):
        return self._s if self._s is not None else Stream._sock(self)

    def bind(self, address, callback=None):
        return op(self, self._bind(_path(address)), callback)

    async def _bind(self, p):
        if self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket closed")
        if self._st & (BOUND | CONNECTED):
            raise BusinessError(CLIENT_BASE + _EINVAL, "socket already bound")
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
        if self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket closed")
        if self._st & CONNECTED:
            raise BusinessError(CLIENT_BASE + _EISCONN, "socket already connected")
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

    def _shut(self):
        s, self._s = self._s, None
        if s is not None:
            _port.close(s)
        return Stream._shut(self)


class LocalSocketConnection(_Local, Stream):
    _srv = None

    def __init__(self, cid):
        self.clientId = cid

    def __repr__(self):
        return "<LocalSocketConnection %d>" % self.clientId

    def _shut(self):
        if Stream._shut(self):
            if self._srv is not None:
                self._srv._gone(self)
            return True
        return False


class LocalSocketServer(_Local, Base):
    EVENTS = ("connect", "error")
    _L = None

    def __init__(self):
        supported()
        self._conns = []

    def _sock(self):
        L = self._L
        return None if L is None else L.s

    def listen(self, address, callback=None):
        return op(self, self._listen(_path(address)), callback)

    async def _listen(self, p):
        if self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "server closed")
        if self._st & LISTENING:
            raise BusinessError(CLIENT_BASE + _EINVAL, "server already listening")
        from .transport.listen import Listener
        try:
            s, sa = _tcp.unix_socket(p)
            self._L = Listener(None, 0, _port.BACKLOG, s, sa)
        except Exception as e:
            raise error_of(e)
        self._path = p
        self._st |= LISTENING | BOUND
        _aw.hold()
        _port.spawn(self._accept())

    async def _accept(self):
        from ._sock_srv import _next_id
        L = self._L
        try:
            while True:
                conn = await L.accept()
                if len(self._conns) >= _port.MAX_CLIENTS:
                    conn.close()
                    continue
                _next_id[0] += 1
                c = LocalSocketConnection(_next_id[0])
                c._srv = self
                c._path = self._path
                if self._opts:
                    c._opts = dict(self._opts)
                c._start(conn)
                self._conns.append(c)
                self._emit("connect", c)
                await _port.sleep_ms(0)  # the other tasks run between two accepts (_sock_srv)
        except Exception as e:
            if not self._st & CLOSED:
                self._emit("error", error_of(e))

    def _gone(self, c):
        try:
            self._conns.remove(c)
        except ValueError:
            pass

    def _shut(self):
        """Stop listening; connections already accepted stay open."""
        was = self._st & LISTENING
        self._st = CLOSED
        L, self._L = self._L, None
        if L is not None:
            L.close()
        if was:
            _aw.release()
