# TCPSocketServer and TCPSocketConnection of @ohos.net.socket (TLSSocketServer and the
# local socket server build on them), loaded by the first server constructed.
from ._err import BusinessError
from . import _aw, _port
from ._sock import (Base, Stream, SERVER_BASE, TCP_OPTS, BOUND, CLOSED, LISTENING,
                     net_address, need_ip, new_bound, error_of, op, set_opts)
from .transport.listen import Listener


_EINVAL = const(22)
_EADDRINUSE = const(98)

_next_id = [0]   # clientId: one counter for every server in the process


class TCPSocketConnection(Stream):
    BASE = SERVER_BASE
    _srv = None

    def __init__(self, cid):
        self.clientId = cid

    def __repr__(self):
        return "<%s %d>" % (type(self).__name__, self.clientId)

    def _shut(self):
        if Stream._shut(self):
            srv = self._srv
            if srv is not None:
                self._srv = None  # (a closed connection kept alive does not keep its server)
                srv._gone(self)
            return True
        return False


class TCPSocketServer(Base):
    EVENTS = "connect error"
    BASE = SERVER_BASE
    OPTS = TCP_OPTS
    CONN = TCPSocketConnection
    _L = None       # transport Listener
    _local = None   # own sockaddr once listening

    def __init__(self):
        self._conns = []

    def _sock(self):
        L = self._L
        return None if L is None else L.s

    def listen(self, address, callback=None):
        return op(self, self._listen(net_address(self._listen_addr(address))), callback)

    async def _listen(self, a):
        fam, ip, port = a
        need_ip(fam, ip)
        self._check_state(LISTENING, _EINVAL, "listening")
        self._ready()
        opts = dict(self._opts or {})
        if "reuseAddress" not in opts:
            opts["reuseAddress"] = True
        try:
            s, sa = new_bound(fam, ip, port, opts, SERVER_BASE)
        except BusinessError as e:
            if e.code != SERVER_BASE + _EADDRINUSE or not port:
                raise
            # OpenHarmony: a port in use makes listen take any free port instead
            s, sa = new_bound(fam, ip, 0, opts, SERVER_BASE)
        self._serve(s, sa)

    def _serve(self, s, sa):
        # listen on the bound socket s (at sockaddr sa) and accept from a task
        self._local = sa
        try:
            self._L = Listener(None, 0, _port.BACKLOG, s, sa)
        except Exception as e:
            raise error_of(e, self.BASE)
        self._st |= LISTENING | BOUND
        _aw.hold()
        _port.spawn(self._accept())

    def _listen_addr(self, arg):
        return arg  # TLSSocketServer: its TLSConnectOptions' address (checked at the call)

    def _ready(self):
        pass  # TLSSocketServer: its context from the checked secureOptions

    async def _accept(self):
        L = self._L
        try:
            while True:
                conn = await L.accept()
                if len(self._conns) >= _port.MAX_CLIENTS:
                    conn.close()  # over the client limit: closed at once, as OpenHarmony does
                    continue
                self._welcome(conn)
                # Let the other tasks run between two accepts (a burst of connects
                # otherwise starves them: the closes the listeners asked for did not
                # run, and the client limit closed the later connections at once)
                await _port.sleep_ms(0)
                _aw.nudge()  # (why: _aw.nudge)
        except Exception as e:
            if not self._st & CLOSED:
                self._emit("error", error_of(e, self.BASE))

    def _welcome(self, conn):
        _next_id[0] += 1
        c = self.CONN(_next_id[0])
        c._srv = self
        o = self._opts
        if o:
            c._opts = dict(o)  # the server's options go to its connections
            try:
                set_opts(conn.s, o)
            except OSError:
                pass  # accepted sockets inherit most of them from the listener anyway
        if not self._prepare(c, conn):
            return
        c._start(conn)
        self._conns.append(c)
        self._emit("connect", c)

    def _prepare(self, c, conn):
        # the connection's local address: the listener's; a wildcard one is the peer's
        # own for a loopback peer (TLS: then transport.start; local sockets: the path)
        local = self._local
        h = _port.addr(local)[0]
        if h in ("0.0.0.0", "::"):
            p = _port.addr(conn.peer)[0]
            if p in ("127.0.0.1", "::1"):
                local = _port.resolve(p, _port.addr(local)[1])[1]
        conn.local = local
        return True

    def _gone(self, c):
        try:
            self._conns.remove(c)
        except ValueError:
            pass

    def _shut(self):
        """Stop listening; connections already accepted stay open (as documented)."""
        was = self._st & LISTENING
        self._st = CLOSED
        self._conns = []  # (they stay open and know their server: _gone finds them gone)
        L, self._L = self._L, None
        if L is not None:
            L.close()  # the accept task wakes and ends
        if was:
            _aw.release()
