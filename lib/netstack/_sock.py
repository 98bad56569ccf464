# netstack.socket's shared part: TCPSocket and what every socket class uses (argument
# checks, state flags, error codes, the reader). The public module is netstack.socket
# (constructors); servers (_sock_srv), UDP and multicast (_sock_udp), TLS (_sock_tls,
# _sock_tlss), local sockets (_sock_local) and SOCKS5 (_socks) load on first use and build
# on this. Sockets, listeners and datagrams come from transport/; this file holds the
# OpenHarmony shapes. Choices and per-port gaps: docs/socket.md.
from ._err import Emitter
from ._err import BusinessError, param
from . import _aw, _port, _err
from . import transport
from .transport import tcp as _tcp


CLIENT_BASE = const(2301000)   # + errno: TCP/UDP/multicast/local client sockets
SERVER_BASE = const(2303100)   # + errno: servers, their connections, TLS system errors
_EBADF = const(9)
_EINVAL = const(22)
_EOPNOTSUPP = const(95)
_EADDRNOTAVAIL = const(99)
_EISCONN = const(106)
_ENOTCONN = const(107)
_ETIMEDOUT = const(110)
_EHOSTUNREACH = const(113)
_EINPROGRESS = const(115)
_E_AGAIN_CLOSE = const(2300999)  # a second close(): OpenHarmony's -1 + 2301000
_E_SYSTEM = const(2300002)
_CONNECT_MS = const(5000)
RBUF_MAX = const(262144)

BOUND = const(1)
CONNECTED = const(2)
CLOSED = const(4)
LISTENING = const(8)


# ---- argument checks -------------------------------------------------------------------

def is_ip(s, fam):
    if fam == 2:
        if ":" not in s or len(s) > 45:
            return False
        for ch in s:
            if ch not in "0123456789abcdefABCDEF:.%":
                return False
        return True
    p = s.split(".")
    if len(p) != 4:
        return False
    for x in p:
        if not x or len(x) > 3 or not x.isdigit() or int(x) > 255:
            return False
    return True


def uint(v, what, top):
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= top:
        raise param("%s must be an integer 0-%d" % (what, top))
    return v


def net_address(a, what="address"):
    """NetAddress -> (family 1|2, ip or host name, port). 401 for a bad shape or an IP
    that does not match its family (checked at the call: see need_ip for the rest)."""
    if not isinstance(a, dict):
        raise param(what + " must be a NetAddress object")
    ip = a.get("address")
    if not isinstance(ip, str) or not ip:
        raise param(what + ".address must be a non-empty string")
    fam = a.get("family")
    if fam is None:
        fam = 1
    elif fam not in (1, 2) or isinstance(fam, bool):
        raise param(what + ".family must be 1 (IPv4) or 2 (IPv6)")
    port = a.get("port")
    port = 0 if port is None else uint(port, what + ".port", 65535)
    if is_ip(ip, 3 - fam) or (fam == 1 and ":" in ip):
        raise param("%s.address %s does not match family %d" % (what, ip, fam))
    return fam, ip, port


def need_ip(fam, ip):
    """2301099 where an IP is needed (bind, listen, membership) and ip is not one: a
    system error in OpenHarmony, so reported by the operation, not at the call."""
    if not is_ip(ip, fam):
        raise BusinessError(CLIENT_BASE + _EADDRNOTAVAIL, "not an IP address: " + ip)


def af(fam):
    s = _port.socket
    return s.AF_INET6 if fam == 2 else s.AF_INET


def data_of(o):
    """The bytes to send from {data: string | ArrayBuffer} (TCPSendOptions and friends)."""
    if not isinstance(o, dict):
        raise param("options must be an object with data")
    d = o.get("data")
    if type(d) is bytes:  # first: the isinstance below builds its tuple (64 B) per call
        return d
    if isinstance(d, str):
        return d.encode()
    if isinstance(d, (bytes, bytearray, memoryview)):
        return d
    raise param("data must be a string or ArrayBuffer (bytes)")


# The ExtraOptions each class takes, and EVENTS below: one str of names, not a tuple (a tuple
# constant is a tuple and a str object per name on the heap, even from ROMFS)
TCP_OPTS = ("receiveBufferSize sendBufferSize reuseAddress socketTimeout keepAlive OOBInline "
            "TCPNoDelay socketLinger tcpFastOpen")


def extra_options(o, allowed):
    """Checked ExtraOptions (401 at the call; _sock_opt, loaded on first use)."""
    from . import _sock_opt
    return _sock_opt.extra_options(o, allowed, uint)


def pairs(opts):
    """Checked options -> [(seam option name, value)] for the socket; () for none."""
    if not opts:
        return ()
    from . import _sock_opt
    return _sock_opt.pairs(opts)


def set_opts(s, opts):
    """Put checked options on the socket s. Raises OSError."""
    for n, v in pairs(opts):
        _port.sockopt(s, n, v)


def error_of(e, base=CLIENT_BASE):
    """BusinessError for what the transport raised: base + errno."""
    if isinstance(e, BusinessError):
        return e
    if isinstance(e, MemoryError):
        return BusinessError(_E_SYSTEM, "out of memory")
    c = getattr(e, "code", None)  # NetError
    if c is None and isinstance(e, OSError) and e.args:  # (CPython: OSError(9).errno is None)
        c = e.args[0]
    if isinstance(c, int) and c > 0:
        return BusinessError(base + c)
    if getattr(e, "stage", None) == 0:  # transport's stage RESOLVE
        return BusinessError(base + _EHOSTUNREACH, str(e))
    return BusinessError(_E_SYSTEM, "%s: %s" % (type(e).__name__, e))


_ri = [None, None]  # the last sockaddr rinfo() saw, and its (host, port, family name)


def rinfo(sa, n):
    """SocketRemoteInfo of sockaddr sa for a message of n bytes: a fresh dict each time,
    the host string made once per peer (a bulk stream or one UDP peer makes it once)."""
    c = _ri
    if c[0] != sa:
        h, p, v = _port.addr(sa)
        c[1] = (h, p, "IPv6" if v == 6 else "IPv4")
        c[0] = sa
    h, p, f = c[1]
    return {"address": h, "family": f, "port": p, "size": n}


def addr_dict(sa):
    h, p, v = _port.addr(sa)
    return {"address": h, "family": 2 if v == 6 else 1, "port": p}


class _Flag:
    late = False


async def deadline(aw, ms, base):
    """await aw; past ms milliseconds fail with base + ETIMEDOUT."""
    x = _Flag()
    dog = _aw.watch(ms, x, "late")
    try:
        return await aw
    except _port.CancelledError:
        if x.late:
            raise BusinessError(base + _ETIMEDOUT, "timed out after %d ms" % ms)
        raise
    finally:
        _aw.unwatch(dog, x, "late")  # (not dog.cancel(): see _aw.unwatch)


def op(self, coro, callback):
    return _aw.call(coro, callback, self.BASE + _EBADF)


# One receive buffer for every socket: a reader copies what it read into its message
# before it awaits again, and the loop runs one task at a time, so no two readers ever
# hold bytes in it at once. A socket's receiveBufferSize bounds how much one read takes;
# the buffer grows to the largest asked for. Per connection this saves the whole buffer.
_rx = [None]


def rx_buf(n):
    b = _rx[0]
    if b is not None and len(b) >= n:
        return b
    old = b
    have = 0 if old is None else len(old)
    while n > have:
        try:
            b = _rx[0] = bytearray(n)
            return b
        except MemoryError:
            if n <= 256 and old is None:
                raise
            n >>= 1  # a fragmented heap without a block this big: smaller reads, not lost
    return old  # nothing bigger than the old one fits: keep using that


_views = {}  # read size -> memoryview of the shared buffer (made once per size)


def rx_view(want):
    """The shared buffer's first `want` bytes (the view is made once per size)."""
    b = _rx[0]
    if b is None or len(b) < want:
        b = rx_buf(want)  # (smaller on a fragmented heap: tried again on the next read)
        _views.clear()
    v = _views.get(want)
    if v is None:
        v = _views[want] = memoryview(b)[:want]
    return v


# ---- an operation done at the call -----------------------------------------------------

def send_done_at_call():  # (its repr names it: <generator object ...>)
    yield


# What send() returns when the data went out at the call: an awaitable that is already
# done (None), with no operation object or coroutine per send. On MicroPython that is a
# generator that has ended: `await` takes its iterator (itself) and resumes it (done at
# once) natively, 300 instructions against 1,100 for an object whose __iter__ is Python
# code (docs/socket.md, "Speed"). One for all: an ended generator stays ended.
# netstack.run(it) and asyncio.create_task(it) take it too. CPython awaits only objects
# with __await__: its port gives one (SEND_DONE).
if _port.NAME == "cpython":
    from netstack_port import SEND_DONE as DONE
else:
    DONE = send_done_at_call()
    list(DONE)  # (run to its end)


def _write(c, options):
    """send()'s write at the call: options['data'] on Conn c's socket when it is bytes and
    no other write is in flight -> True: all of it written; else the bytes written, or None
    (it would block); -1: the write failed (send's general path writes again and reports
    the error: a reset peer then gives EPIPE); -2: another write is in flight; -3: the data
    is not bytes, or options is not a dict with data (send converts a string, or raises
    401). The subscripts raise where the options are not what this path takes: no type()
    or get() calls (docs/socket.md, "Speed"). (Two locals and no `except ... as`: the
    frame stays within the 11 words a call keeps off the heap; more, and it comes from the
    heap, whose search on a fragmented heap cost more than the rest of a send. So the
    parameters are reused: options holds the data once read, c what the write took.)"""
    try:
        options = options["data"]
        if options.__class__ is not _bytes:
            return -3
        if c.wq is not None:  # (Conn.write_now's first step, one call less)
            return -2
        c = c.s.write(options)
        return True if c == _len(options) else c
    except OSError:
        return -1
    except Exception:
        return -3


# Builtins as module globals for the send paths: a builtin is looked up in the module's
# globals first and then in the builtins' table, one search more per name.
_bytes = bytes
_len = len


# The callback form of sends done at the call: their callbacks, called in order by one
# task (a task per send cost ~50 k instructions), which yields after every 16 as the
# readers do: a program that sends again from each callback would hold the loop.
_due = []
_drainer = None  # that task (a new one once it is done, also when it was cancelled)


def then(sk, aw, callback):
    """Call callback(err, data) with the outcome of send's awaitable aw (from the loop,
    never from inside the send call)."""
    global _drainer
    if aw is not DONE:
        return op(sk, aw, callback)
    _due.append(callback)
    d = _drainer
    if d is None or d.done():
        _aw.hold()
        _drainer = _port.spawn(_drain())


async def _drain():
    k = 0
    try:
        while _due:
            cb = _due.pop(0)
            try:
                cb(None, None)
            except Exception as e:
                _err.report(e, "result")
            k += 1
            if k >= 16:
                k = 0
                await _port.sleep_ms(0)
    finally:
        _aw.release()


async def _join(t):
    return await t


async def fail(err):
    """An operation that fails with err (a failure found at the call, reported when run)."""
    raise err


# ---- what every socket shares --------------------------------------------------------

class Base(Emitter):
    BASE = CLIENT_BASE
    _st = 0
    _opts = None     # checked ExtraOptions given so far
    # (_local, own sockaddr: a default in each subclass; one name more here grew this
    # class's dict by 256 B)

    def getState(self, callback=None):
        return op(self, self._state(), callback)

    async def _state(self):
        st = self._st
        return {"isBound": bool(st & BOUND), "isClose": bool(st & CLOSED),
                "isConnected": bool(st & CONNECTED)}

    def getLocalAddress(self, callback=None):
        return op(self, self._local_addr(), callback)

    async def _local_addr(self):
        c = getattr(self, "_c", None)  # (a Stream's Conn knows it once connected)
        a = self._local or (c.local if c is not None else None)
        if a is None or self._st & CLOSED:
            raise BusinessError(self.BASE + _EBADF, "socket is not bound")
        return addr_dict(a)

    def getSocketFd(self, callback=None):
        return op(self, self._fd(), callback)

    async def _fd(self):
        s = self._sock()
        return -1 if s is None or self._st & CLOSED else _port.fileno(s)

    # Argument checks run at the call (OpenHarmony throws 401 synchronously, as http and
    # webSocket do here): each method checks, then hands the checked values to its
    # coroutine; state and system errors come from the operation.
    def setExtraOptions(self, options, callback=None):
        return op(self, self._set_opts(extra_options(options, self.OPTS)), callback)

    async def _set_opts(self, o):
        from ._sock_opt import unsupported
        unsupported(o, self.BASE)
        self._check_state()
        s = self._sock()
        if s is not None:
            try:
                set_opts(s, o)
            except OSError as e:
                raise error_of(e, self.BASE)
        if self._opts is None:
            self._opts = {}
        self._opts.update(o)

    def _check_state(self, busy=0, errno=0, what=None, base=0):
        """The state checks an operation starts with: base (default: the class's) + EBADF
        once the socket is closed; base + errno when a flag of busy is set ('socket
        already ' + what: bound, connected, listening)."""
        base = base or self.BASE
        if self._st & CLOSED:
            raise BusinessError(base + _EBADF, "socket closed")
        if self._st & busy:
            raise BusinessError(base + errno, "socket already " + what)

    def _rbs(self):
        o = self._opts
        return min((o and o.get("receiveBufferSize")) or _port.RECV_BUF, RBUF_MAX)

    def close(self, callback=None):
        return op(self, self._close(), callback)

    async def _close(self):
        if self._st & CLOSED:
            raise BusinessError(_E_AGAIN_CLOSE, "socket already closed")
        self._shut()
        # Yield once so the reader, woken by the close, ends before the caller goes on:
        # on MicroPython, making new sockets and tasks while the woken reader of a closed
        # one still waited in the run queue kept every later socket's objects alive
        # (the heap was gone after a few hundred UDP open/close cycles at 110k).
        await _port.sleep_ms(0)


# ---- a connected stream: TCP client, accepted connection (TLS builds on it) -----------

class Stream(Base):
    EVENTS = "message close error"
    OPTS = TCP_OPTS
    _c = None        # transport Conn while connected
    _remote = None   # the peer's sockaddr
    _local = None    # own sockaddr

    def _sock(self):
        c = self._c
        return None if c is None else c.s

    def _start(self, conn):
        # Addresses stay on the Conn (conn.peer, conn.local) and its reader task too
        # (conn.task): fewer attributes here keep this object's dict small (RAM per
        # connection). _remote is set only through a proxy (the target, by _socks).
        self._c = conn
        self._st |= CONNECTED | BOUND
        _aw.hold()
        conn.task = _port.spawn(_tcp.pump(conn, self._rbs(), rx_view, self))

    def _end(self, err):
        # the reader ended: the peer closed (err None) or a read failed
        if self._st & CLOSED:
            return
        if err is not None:
            self._emit("error", self._io_error(err, False))
        self._shut()

    def _deliver(self, mv, n):
        ls = self._ls  # (Emitter._has inline: a call less per message)
        if self._st & CLOSED or ls is None or "message" not in ls:  # no listener: dropped
            return
        # A fragmented heap may have no block for n bytes: then the bytes go out as
        # several smaller messages (TCP has no message boundaries to keep anyway).
        try:
            m = _bytes(mv if n == _len(mv) else mv[:n])  # (a full read needs no slice object)
        except MemoryError:
            if n < 512:
                raise
            h = n >> 1
            self._deliver(mv, h)
            self._deliver(mv[h:], n - h)
            return
        self._emit("message", {"message": m, "remoteInfo": rinfo(self._remote or self._c.peer, n)})

    def _io_error(self, e, writing):
        # (writing: TLS's code for a failed write, see _sock_tls.tls_error)
        return error_of(e, self.BASE)

    def _shut(self):
        """Close once: the reader wakes and ends; emits 'close'."""
        if self._st & CLOSED:
            return False
        self._st = (self._st | CLOSED) & ~(CONNECTED | BOUND)
        c = self._c
        if c is not None:
            c.close()
            _aw.release()
        self._emit("close")
        return True

    def send(self, options, callback=None):
        c = self._c
        if callback is None and c is not None and not self._st & CLOSED:
            # OpenHarmony's send starts at the call, and so does this one: what the socket
            # takes at once goes out now when no other write is in flight (the common
            # case: no operation object, no coroutine), a task sends the rest or the whole
            # (after the writes before it: Conn's writers' turn), even if nobody awaits
            # the result. So the bytes go out in the order of the calls. (A socket needs
            # no Conn.stage: error_of maps errnos whatever the stage.)
            n = _write(c, options)
            if n is True:
                return DONE  # (TLS sockets mark the handshake over: TLSGetters.send)
            if n == -3:  # not bytes: a string converted (the same way), else 401
                return self._later(c, -2 if c.wq is not None else 0, data_of(options))
            return self._later(c, n, options["data"])
        return self._general(options, callback)

    def _general(self, options, callback):
        if callback is not None and self._c is not None and callable(callback):
            # The callback form starts at the call too, on the awaitable form's path:
            # written now when the socket takes it, else after the writes before it (so a
            # callback send and an awaited one after it go out in the order of the calls),
            # the callback called with the outcome
            return then(self, self.send(options), callback)
        return op(self, self._send(data_of(options)), callback)

    def _later(self, c, n, d):
        # send() when the socket did not take all of d at once (n: what it took, None or
        # 0: nothing, -1: the write failed, -2: another write is in flight). Apart from
        # send(), whose frame stays within the 11 words a call keeps off the heap
        # (docs/socket.md, "Speed").
        if n == -1:  # the general path's write reports the error
            return op(self, self._send(d), None)
        if n == -2:  # after the writes before it
            r = self._send(d)
        else:  # the rest, holding the writers' turn from now (write_now takes it)
            if n:
                d = memoryview(d)[n:]
            try:
                r = c.write_now(d)
            except Exception as e:
                return op(self, fail(self._io_error(e, True)), None)
            if r is True:
                return DONE
            r = self._rest(c, r)
        return op(self, _join(_port.spawn(r)), None)

    async def _rest(self, c, co):
        # the rest of an eager send (write_now's coroutine, holding the writers' turn).
        # (_send's body again, not a shared coroutine: one more generator per partial
        # write cost ~250 instructions per 16 KiB send in bench/sock.py's TCP row)
        try:
            tmo = self._opts and self._opts.get("socketTimeout")
            if tmo:
                await deadline(co, tmo, self.BASE)
            else:
                await co
            if c.tls:
                self._over = True
        except BusinessError:
            raise
        except Exception as e:
            raise self._io_error(e, True)
        finally:
            c._next()

    async def _send(self, data):
        c = self._c
        if c is None or self._st & CLOSED:
            raise BusinessError(self.BASE + _EBADF, "socket is not connected")
        tmo = self._opts and self._opts.get("socketTimeout")
        try:
            if tmo:
                await deadline(c.write(data), tmo, self.BASE)
            else:
                await c.write(data)
            if c.tls:
                self._over = True  # (TLS: the handshake is over, see TLSGetters)
        except BusinessError:
            raise
        except Exception as e:
            raise self._io_error(e, True)

    def getRemoteAddress(self, callback=None):
        return op(self, self._remote_addr(), callback)

    async def _remote_addr(self):
        c = self._c
        r = self._remote or (c.peer if c is not None else None)
        if r is None or self._st & CLOSED:
            raise BusinessError(self.BASE + _ENOTCONN, "socket is not connected")
        return addr_dict(r)


# ---- TCPSocket -----------------------------------------------------------------------

class TCPSocket(Stream):
    EVENTS = "message connect close error"
    _s = None   # the socket between bind() and connect()
    send = Stream.send  # (found one class sooner: on the send path)

    def _sock(self):
        return self._s if self._s is not None else Stream._sock(self)

    def bind(self, address, callback=None):
        return op(self, self._bind(net_address(address)), callback)

    async def _bind(self, a):
        fam, ip, port = a
        need_ip(fam, ip)
        self._check_state(BOUND | CONNECTED, _EINVAL, "bound", CLIENT_BASE)
        self._s, self._local = new_bound(fam, ip, port, self._opts, CLIENT_BASE)
        self._st |= BOUND

    def connect(self, options, callback=None):
        return op(self, self._connect(connect_args(options)), callback)

    async def _connect(self, a):
        fam, host, port, tmo, proxy = a
        self._check_state(CONNECTED, _EISCONN, "connected", CLIENT_BASE)
        conn = await dial(self, fam, host, port, tmo, proxy, CLIENT_BASE)
        self._s = None
        if self._st & CLOSED:  # closed while connecting
            conn.close()
            raise BusinessError(CLIENT_BASE + _EBADF, "socket closed while connecting")
        self._start(conn)
        self._emit("connect")

    def _shut(self):
        s, self._s = self._s, None
        if s is not None:
            _port.close(s)
        return Stream._shut(self)


def connect_args(o):
    if not isinstance(o, dict):
        raise param("connect(options: {address, timeout?, proxy?})")
    fam, host, port = net_address(o.get("address"))
    tmo = o.get("timeout")
    tmo = uint(tmo, "timeout", 0x7fffffff) if tmo is not None else 0
    return fam, host, port, tmo or _CONNECT_MS, proxy_of(o)


def proxy_of(o):
    p = o.get("proxy")
    if p is None:
        return None
    if not isinstance(p, dict):
        raise param("proxy must be a ProxyOptions object")
    t = p.get("type", 0)
    if t == 0:  # ProxyTypes.NONE
        return None
    if t != 1:  # ProxyTypes.SOCKS5
        raise param("proxy.type must be ProxyTypes.NONE or SOCKS5")
    fam, host, port = net_address(p.get("address"), "proxy.address")
    u, pw = p.get("username"), p.get("password")
    if (u is not None and not isinstance(u, str)) or (pw is not None and not isinstance(pw, str)):
        raise param("proxy username and password must be strings")
    return host, port, u or None, pw  # (no username: no authentication)


def new_bound(fam, ip, port, opts, base, blind=False):
    """A TCP socket with the options set, bound to ip:port (port 0: chosen, see
    transport.tcp.bind) -> (socket, bound sockaddr); blind: see transport.tcp.prepare."""
    try:
        return _tcp.prepare(af(fam), pairs(opts), ip, port, blind)
    except Exception as e:
        raise error_of(e, base)


def numeric(fam, host, port, base):
    """The IP of host (an IP as it is; a name through the port's resolver)."""
    if is_ip(host, fam):
        return host
    try:
        return _port.addr(_port.resolve(host, port)[1])[0]
    except OSError as e:
        raise BusinessError(base + _EHOSTUNREACH, "cannot resolve %s: %s" % (host, e))


async def dial(sk, fam, host, port, tmo, proxy, base):
    """A connected transport Conn for sk (TCPSocket or TLSSocket): from its bound socket or
    a new one, directly or through a SOCKS5 proxy, within tmo ms. On MicroPython the new
    socket is bound first, to a port chosen here, so getLocalAddress can tell it (loopback
    for a loopback peer, else the wildcard address); a chosen port that makes a 4-tuple
    still in TIME_WAIT with this peer is replaced by another (3 tries)."""
    if proxy is not None:
        from . import _socks
        return await _socks.dial((dial, deadline), sk, host, port, tmo, proxy, base)
    ip = numeric(fam, host, port, base)
    if ":" in ip:
        fam = 2
    for i in range(4):
        s = sk._s
        sa = None  # (not None: a port chosen here)
        if s is None:
            lip = ("::1" if ip == "::1" else "::") if fam == 2 else (
                "127.0.0.1" if ip.startswith("127.") else "0.0.0.0")
            s, sa = new_bound(fam, lip, 0, sk._opts, base, True)
            sk._s = s
        try:
            c = await deadline(_connect(s, ip, port), tmo, base)
        except BaseException as e:
            sk._s = None
            _port.close(s)
            code = getattr(e, "code", None)
            if sa is not None and i < 3 and code in (98, _EADDRNOTAVAIL):
                continue
            if code == base + _ETIMEDOUT:  # OpenHarmony reports it as EINPROGRESS
                raise BusinessError(base + _EINPROGRESS, "connect timed out after %d ms" % tmo)
            if isinstance(e, Exception):
                raise error_of(e, base)
            raise
        c.local = _port.local_addr(s) or sa or sk._local
        return c


async def _connect(s, ip, port):
    return await _tcp.connect_sock(s, _port.resolve(ip, port)[1])
