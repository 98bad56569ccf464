# Stream sockets made for netstack.socket: a TCP socket with options set and bound before
# it connects or listens (so the caller knows its local port), a connect that reports a
# refusal at once, and AF_UNIX sockets. transport.dial stays the HTTP client's lean path.
import errno
from .. import _port, _err as _log
from . import Conn, NetError

_CONNECT = const(1)  # transport's stages
_OPEN = const(4)


def bind(s, host, port, dgram=False):
    """Bind s to host:port (a numeric address) -> the bound sockaddr. Port 0 where the
    runtime cannot read the port back (MicroPython has no getsockname): a port from the
    dynamic range 49152-65535 chosen here, the next one tried while one is in use.
    Raises OSError."""
    family, sa = _port.resolve(host, port, dgram)
    if port or _port.local_addr(s) is not None:
        _port.bind(s, sa)
        return _port.local_addr(s) or sa
    b = _port.random_bytes(16)
    for i in range(0, 16, 2):
        family, sa = _port.resolve(host, 49152 + ((b[i] << 8 | b[i + 1]) & 16383), dgram)
        try:
            _port.bind(s, sa)
            return sa
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE)


def prepare(family, opts=(), host=None, port=0, blind_only=False):
    """A non-blocking TCP socket to connect or listen with: options set ((name, value)
    pairs for _port.sockopt), bound to host:port when host is given (port 0: see
    bind above) -> (socket, bound sockaddr or None). blind_only: bind only where the
    runtime cannot read a socket's address back (so the caller knows its local port).
    Raises OSError; the socket is closed then."""
    s = _port.tcp_socket(family)
    try:
        for name, v in opts:
            _port.sockopt(s, name, v)
        sa = None
        if host is not None and not (blind_only and _port.local_addr(s) is not None):
            if blind_only:
                _port.sockopt(s, "reuseaddr", 1)  # the chosen port may be in TIME_WAIT
            sa = bind(s, host, port)
    except BaseException:
        _port.close(s)
        raise
    return s, sa


def unix_socket(path=None):
    """An AF_UNIX stream socket, bound to path if given -> (socket, sockaddr of path or
    None). OSError(EAFNOSUPPORT) where the runtime has no local sockets."""
    af = getattr(_port.socket, "AF_UNIX", None)
    if af is None:
        raise OSError(errno.EAFNOSUPPORT)
    s = _port.tcp_socket(af)
    sa = None
    if path is not None:
        try:
            sa = _port.unix_addr(path)
            _port.bind(s, sa)
        except BaseException:
            _port.close(s)
            raise
    return s, sa


async def connect_sock(s, sa):
    """Connect the stream socket s (made by prepare/unix_socket) to sa -> Conn. Unlike
    transport.connect, a refused or unreachable peer raises NetError(CONNECT, errno) here, not
    at the first read or write. The caller closes s on failure or cancellation."""
    if _log.on:
        _log.log("connect", _port.addr(sa))
    try:
        s.connect(sa)
    except OSError as e:
        if e.errno not in (errno.EINPROGRESS, errno.EAGAIN):
            raise NetError(_CONNECT, e.errno, "connect failed: %s" % e)
    await _port.wait_writable(s)
    e = _port.sock_error(s)
    if e:
        raise NetError(_CONNECT, e, "connect failed: errno %d" % e)
    return Conn(s, sa)


class _IOWait:
    # What `await io_wait(s)` awaits: one object for all waits, as asyncio's sleep_ms does
    # with its SingletonGenerator, so a waiting reader allocates no generator (each open
    # socket's reader waits here: ~100 B per connection). The first __next__ registers the
    # socket and suspends the task; the next, when the poller woke it, ends the await.
    # Safe to share: `s` is taken by the first __next__ before any other task runs.
    # (Here, not in _portx: webSocket and http load _portx, and this class and its object
    # took ~0.5 KB from a wss session at 120k from .mpy.)
    s = None
    exc = StopIteration()

    def __iter__(self):
        return self

    def __next__(self):
        s = self.s
        if s is not None:
            self.s = None
            core = _port._aio()  # (asyncio loads here if it has not: a reader is a second task)
            t = _port._tls  # TLS sockets that wait on their TCP socket (_port.wait_readable)
            if t:
                e = t.get(id(s))
                if e is not None:
                    s = e[2](s, e[0], 1)
                    if s is None:  # readable now: run again at the next turn
                        core._task_queue.push(core.cur_task)
                        return None
            core._io_queue.queue_read(s)
            return None
        self.exc.__traceback__ = None
        raise self.exc


_iow = None


def io_wait(s):
    """Wait until s is readable, without an object per wait (the default of the seam's
    io_wait: a port may give its own, as CPython's does)."""
    global _iow
    w = _iow
    if w is None:
        w = _iow = _IOWait()
    w.s = s
    return w


_wait = getattr(_port, "io_wait", io_wait)  # the port's own (CPython's) or the default


_F = 1.0
_reads = 0  # reads since a reader last yielded (one count for all readers)


async def pump(c, want, view, owner):
    """The reading task of an event-driven socket on Conn c, in one frame: read into
    view(want) (a buffer the caller may share between connections: it is asked for before
    every read), hand each read to owner._deliver(mv, n), and call owner._end(err) once
    when the peer closes (err None), c.close() was called (None) or a read fails (the
    exception). (owner, not two bound methods: each would be an object per connection.)
    While data keeps coming, it yields to the other tasks after every 16 reads: a fast
    stream would otherwise hold the loop (timers, other sockets) until it paused."""
    global _reads
    s = c.s
    err = None
    try:
        while not c.closed:
            mv = view(want)
            n = s.readinto(mv)
            if n is None:
                _reads = 0
                await _wait(s)  # (a global: one more local grew each reader's frame by 32 B)
                continue
            if not n:
                break
            c.stage = _OPEN
            owner._deliver(mv, n)
            _F + 0.0  # a one-block object after each message (why: _aw.nudge): 10x fewer
            # allocator instructions per 4 KB message at a 2 MB heap
            _reads += 1  # (the count is a global: a local grows every reader's frame)
            if _reads >= 16:
                _reads = 0
                await _port.sleep_ms(0)
    except Exception as e:  # a reset, a TLS alert, out of memory
        err = e
    owner._end(err)


async def handshake(conn, done, mv):
    """Drive conn's TLS handshake by reading until done() is true (the caller's
    certificate hook has run: the peer's chain was checked), or bytes arrive -> number of
    bytes read into mv (0: none yet). Neither runtime's binding can step a handshake
    without reading or writing data, so this is how a TLS client learns before any data
    moves that the server's certificate passed. Raises what the read raises (ValueError:
    verification failed; OSError). (Here, not a Conn method: netstack.socket's TLS client
    is its only user, and every client loads Conn.)"""
    s = conn.s
    while True:
        n = s.readinto(mv)
        if n is not None:
            if not n:
                raise OSError(errno.ECONNRESET, "closed during the TLS handshake")
            conn.stage = _OPEN
            return n
        if done():
            return 0
        await _port.wait_readable(s)
