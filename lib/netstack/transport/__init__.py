# transport: every socket and TLS session of the library. This package module is what
# every client loads: Conn (a connected TCP/TLS socket driven by the asyncio poller, for
# dialed and accepted sockets alike), NetError with its stages, and dial() (resolve ->
# TCP connect -> CONNECT tunnel -> TLS). Servers (listen), datagrams (udp), socket's
# prepared sockets and bind (tcp), TLS contexts (tls), the tunnel and pinning are
# submodules, loaded on first use. (Conn and dial were the submodules stream and dial: one module on
# the GET path instead of three costs less heap, even with the code in flash.)
#
# Conn: the one connection type under http, fetch, socket and webSocket, reading straight
# into caller-owned buffers. I/O raises plain OSError/ValueError (no try blocks on the hot
# path); Conn.stage says where the connection was, and each facade maps that to its own
# codes.
import errno
from .. import _port, _err as _log  # the log lines live in _err

# stages (NetError.stage, Conn.stage): where a failure happened, for the facades' error
# mapping. Numbers, not names: compiled in here and in the submodules (each repeats the ones
# it uses as its own consts: keep them in step), and the facades compare with the number
# (every module-level name is interned and a dict entry, even from ROMFS: bench/ws_ram.py)
#   0 RESOLVE    name lookup
#   1 CONNECT    TCP connect, until a byte went through
#   2 TUNNEL     HTTP CONNECT through a proxy (NetError.code: the proxy's status, or None)
#   3 TLS        TLS handshake (runs on the first read or write after start())
#   4 OPEN       connected and at least one byte went through
#   5 LOAD_CA    the CA certificates given could not be read or were rejected
#   6 LOAD_CERT  the own certificate or key could not be read or was rejected
_RESOLVE = const(0)
_CONNECT = const(1)
_TLS = const(3)
_OPEN = const(4)


class NetError(Exception):
    """A transport failure in neutral terms. stage: one of the stages above; code: an
    errno (> 0), an mbedTLS code (< 0), the proxy's HTTP status (TUNNEL), or None (for TLS:
    certificate verification failed, text says why); text: for messages. via_proxy: the
    failure concerns the proxy, not the target host."""

    def __init__(self, stage, code, text, via_proxy=False):
        super().__init__(stage, code, text)
        self.stage = stage
        self.code = code
        self.text = text
        self.via_proxy = via_proxy

    def __str__(self):
        return self.text


class Conn:
    """A connected stream socket. Attributes: s (the socket), tls (bool), stage, closed,
    peer (the peer's sockaddr, or None: _port.addr(peer) gives (host, port, 4 or 6)),
    local (own sockaddr, or None where the port cannot tell: MicroPython has no
    getsockname). TLS: transport.start(conn, ctx, ...) wraps the socket.

    One reader and one writer may wait at a time: MicroPython's poller keeps one waiting
    task per direction per socket, so concurrent write() calls are queued here, in order.
    Reads are the caller's to serialise (one reading task per connection). close() wakes a
    waiting reader (it sees 0, as at the peer's close) and writer (OSError EBADF)."""

    # defaults as class attributes: a new connection sets only s, peer and stage (every
    # attribute set on a new instance may grow its table: an allocation each, ~5k
    # instructions per dial on MicroPython)
    tls = False
    raw = None  # under TLS: the TCP socket (socket options are set there)
    local = None
    closed = False
    wq = None  # None: nobody writing; a list (waiting writers' events): busy

    def __init__(self, s, peer=None, local=None):
        self.s = s
        self.peer = peer
        self.stage = _CONNECT
        if local is not None:
            self.local = local

    async def readinto(self, mv):
        """Read up to len(mv) bytes into mv; 0 means the peer closed (or close() was called)."""
        s = self.s
        while True:
            if self.closed:
                return 0
            n = s.readinto(mv)
            if n is not None:
                if n:
                    self.stage = _OPEN
                return n
            await _port.wait_readable(s)

    def read_now(self, mv):
        """readinto without waiting: None when nothing has arrived yet (then await
        _port.wait_readable(self.s) and call it again: no coroutine per read)."""
        if self.closed:
            return 0
        n = self.s.readinto(mv)
        if n:
            self.stage = _OPEN
        return n

    async def fill(self, mv):
        """Like readinto, but once bytes came it goes on reading without waiting until mv
        is full or the socket has nothing more right now: fewer rounds for bulk data."""
        n = await self.readinto(mv)
        if 0 < n < len(mv):
            n += self.fill_now(memoryview(mv)[n:])  # (a bytearray's slice is a copy)
        return n

    def fill_now(self, mv):
        """Bytes already received, into mv, without waiting; 0: none now (or closed: the
        next readinto tells)."""
        s = self.s
        n = 0
        end = len(mv)
        while n < end:
            k = s.readinto(mv[n:])
            if not k:
                break
            n += k
        return n

    def write_now(self, mv):
        """Write mv (a frame, whole) without waiting when no writer has the turn -> True:
        all of it went out; None: a writer has the turn, nothing written (write() it); else
        a coroutine to await for the rest (a copy), which holds the turn until then (also
        when nothing went out: TLS wants the same bytes again)."""
        if self.wq is not None:
            return None
        n = 0 if self.closed else self.s.write(mv)
        if n == len(mv):
            if n and not self.tls:
                self.stage = _OPEN  # as write() does
            return True
        self.wq = []
        return self.write(bytes(mv[n or 0:]), True)

    async def write(self, data, turn=False):
        """Send all of data (bytes, bytearray or memoryview). Writers take turns (turn:
        the caller holds the turn, and gives it back with _next(): write_now's rest, or a
        WebSocket message of several writes)."""
        if not turn:
            if self.wq is None:  # nobody writing: the turn is ours at once
                self.wq = []
            else:
                await self.turn()
        try:
            s = self.s
            mv = None  # made only after a partial write: the common whole write needs none
            off = 0
            end = len(data)
            while off < end:
                if self.closed:
                    raise OSError(errno.EBADF)
                if off:
                    if mv is None:
                        mv = memoryview(data)
                    n = s.write(mv[off:])
                else:
                    n = s.write(data)
                if n is None:
                    await _port.wait_writable(s)
                    continue
                off += n
                if n and not self.tls:
                    self.stage = _OPEN
        finally:
            if not turn:
                self._next()

    async def turn(self):
        """Wait for the writers' turn (turns go in call order) and hold it until _next():
        write() takes it itself; a caller whose message spans several write(..., True)
        calls (a WebSocket message's frames) takes it first."""
        q = self.wq
        if q is None:
            self.wq = []
            return
        ev = _port.event()
        q.append(ev)
        try:
            await ev.wait()
        except BaseException:  # cancelled while queued: leave the queue, or pass the turn
            if ev in q:
                q.remove(ev)
            else:
                self._next()
            raise

    def _next(self):
        q = self.wq
        if q:
            q.pop(0).set()  # the queue stays a list: the turn passes to that writer
        else:
            self.wq = None

    def close(self):
        if not self.closed:
            self.closed = True
            _port.close(self.s)


# --- dialing ----------------------------------------------------------------------------
# Every failure leaves as a NetError carrying its stage, so each facade picks its own code
# (an unknown host is RESOLVE on every port, whatever number the port's getaddrinfo raised).
# No timeout here: the caller's watchdog cancels, and a cancelled dial leaks no socket.
async def dial(host, port, context=None, server_hostname=None, step=None):
    """A connected Conn to host:port.

    context: an SSL context (transport.tls.context): TLS is started with server_hostname
    or host; its handshake runs on the first read or write (stage TLS).
    step(stage): called as RESOLVE and CONNECT complete (timing marks).
    Raises NetError(RESOLVE/CONNECT, ...). Through a proxy: transport.tunnel.dial (a
    submodule, loaded only then)."""
    c = await connect(host, port, step)
    if context is not None:  # (the arguments' names: interned by MicroPython anyway)
        try:
            start(c, context, server_hostname or host)
        except BaseException:  # a bad context: nothing leaks
            c.close()
            raise
    return c


def start(c, context, name=None, server_side=False):
    """Wrap Conn c's connected socket in TLS with context (transport.tls.context),
    checking name (the server's host name; None on a server). The handshake runs on the
    first read or write: errors there come with stage TLS. (A function, not a Conn method:
    a method is an object of the class in every client's heap, a module function only here.)"""
    if _log.on and name:
        _log.log("tls", name)  # (a name the firmware has: "TLS" would be one more)
    c.raw = s = c.s
    c.s = _port.tls_wrap(context, s, name, server_side)
    c.tls = True
    c.stage = _TLS


async def connect(host, port, step=None, via_proxy=False):
    """TCP connect -> Conn (stage CONNECT until a byte goes through)."""
    # boards only (see _port's contract); looked up in its dict: a missing name asked of
    # the module costs its __getattr__ and an AttributeError (~4k instructions per dial)
    ready = _port.__dict__.get("net_ready")
    if ready is not None and not ready():   # a board knows its WiFi is down: fail now, say so
        raise NetError(_CONNECT, 100,  # ENETDOWN (Linux and lwIP)
                       "network is down (not connected): %s:%d not tried" % (host, port), via_proxy)
    if _log.on:
        _log.log("resolve", host)
    try:
        family, sa = _port.resolve(host, port)
    except OSError as e:
        raise NetError(_RESOLVE, None, "cannot resolve '%s': %s" % (host, e), via_proxy)
    if step is not None:
        step(_RESOLVE)
    if _log.on:
        _log.log("connect", _port.addr(sa))
    s = _port.tcp_socket(family)
    try:  # no Nagle (as curl): mbedTLS writes a handshake flight record by record, and
        # Nagle held each record after the first until the server's delayed ACK (40 ms on
        # Linux); a request head and body written apart, the same. IPPROTO_TCP 6,
        # TCP_NODELAY 1 on Linux and lwIP alike (set directly: _port.sockopt's table is ~4 KB)
        s.setsockopt(6, 1, 1)
    except (OSError, AttributeError, TypeError):
        pass
    try:
        s.connect(sa)
    except OSError as e:
        if e.errno != errno.EINPROGRESS:
            _port.close(s)
            raise NetError(_CONNECT, e.errno, "connect to %s:%d failed: %s" % (host, port, e),
                           via_proxy)
    c = Conn(s, sa)
    try:
        await _port.wait_writable(s)
    except BaseException:  # cancelled (timeout): do not leak the socket
        c.close()
        raise
    if step is not None:
        step(_CONNECT)
    return c
