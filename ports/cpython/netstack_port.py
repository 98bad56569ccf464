# CPython port of netstack's runtime seam (lib/netstack/_port.py): the same names with
# MicroPython's semantics on top of CPython's asyncio, socket and ssl.
import asyncio
import os
import socket
import ssl
import tempfile

import micropython  # noqa: F401  installs time.ticks_* before lib/ needs them

NAME = "cpython"
DEFAULT_CA_PATH = None
# HttpResponseCache files: the user's cache dir (tests set a temporary one)
CACHE_DIR = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "netstack")
_loop = None


class _SendDone:
    # netstack.socket's send() result when the data went out at the call (MicroPython's is
    # an ended generator, which CPython cannot await): done, None
    def __await__(self):
        return iter(())

    def send(self, v):
        raise StopIteration

    def throw(self, *a):
        raise a[0]

    def close(self):
        pass

    def __repr__(self):
        return "<netstack send: done (sent at the call)>"


SEND_DONE = _SendDone()


def loop():
    """The running loop, else one persistent loop (so keep-alive sockets survive run())."""
    global _loop
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_loop)
    return _loop


def spawn(coro):
    return loop().create_task(coro)


def run_until_complete(aw, own):
    return loop().run_until_complete(aw)


current_task = asyncio.current_task
CancelledError = asyncio.CancelledError


async def sleep_ms(ms):
    await asyncio.sleep(ms / 1000)


def spawn_after(coro, ms):
    async def later():
        await asyncio.sleep(ms / 1000)
        await coro
    t = spawn(later())
    # Cancelled before later() ran (drop_sleeper): close coro, never started, so that it
    # gives no "coroutine was never awaited" warning (a no-op once it ran).
    t.add_done_callback(lambda t: coro.close())
    return t


def event():
    return asyncio.Event()


def park(q):
    f = loop().create_future()
    q.append(f)
    return f


def wake(q):
    while q:
        f = q.pop()
        if not f.done():
            f.set_result(None)


def drop_sleeper(t):
    t.cancel()  # CPython's loop keeps no stale links between tasks


async def _wait(s, i, add, remove):
    # s.waits[i]: the future a task waits on for direction i (0 read, 1 write); close(s)
    # resolves it, as MicroPython's seam wakes the poller's waiting task.
    lp = asyncio.get_running_loop()
    fut = lp.create_future()
    fd = s.fileno()

    def ready():
        if not fut.done():
            fut.set_result(None)

    add(fd, ready)
    s.waits[i] = fut
    try:
        await fut
    finally:
        if s.waits[i] is fut:  # else close() unregistered it (the fd may be reused)
            s.waits[i] = None
            remove(fd)


def wait_readable(s):
    lp = asyncio.get_running_loop()
    return _wait(s, 0, lp.add_reader, lp.remove_reader)


def wait_now(s, ms):  # (no blocking shortcut here: always through the event loop)
    return False


def wait_writable(s):
    lp = asyncio.get_running_loop()
    return _wait(s, 1, lp.add_writer, lp.remove_writer)


def close(s):
    """Close s; a task waiting on it wakes up (MicroPython's seam does the same)."""
    w = getattr(s, "waits", None)
    if w is not None:
        for i in 0, 1:
            fut = w[i]
            if fut is not None:
                w[i] = None
                lp = fut.get_loop()
                try:
                    (lp.remove_reader if i == 0 else lp.remove_writer)(s.fileno())
                except (ValueError, OSError):
                    pass
                if not fut.done():
                    fut.set_result(None)
    try:
        s.close()
    except OSError:
        pass


def resolve(host, port, dgram=False):
    try:
        ai = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM if dgram else socket.SOCK_STREAM)[0]
    except socket.gaierror as e:  # MicroPython's shape: OSError('[addrinfo error N]')
        raise OSError("[addrinfo error %s]" % e.args[0])
    return ai[0], ai[-1]


def addr(sa):
    h = sa[0]
    return h, sa[1], 6 if ":" in h else 4


_WOULD_BLOCK = (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


class Sock:
    """A CPython socket with MicroPython's non-blocking stream semantics:
    readinto/write return None instead of raising when they would block, and a
    certificate failure raises ValueError(text) as MicroPython's mbedTLS binding does."""

    def __init__(self, s, pin=None):
        self.s = s
        self.pin = pin  # _port.tls_pin's hook, run once the handshake is done
        self.waits = [None, None]  # futures of the tasks waiting to read / to write

    def setsockopt(self, level, opt, value):  # as MicroPython's socket (numbers: Linux's)
        self.s.setsockopt(level, opt, value)

    def _handshake(self):
        """mbedTLS runs its verify callback inside the handshake, before any data moves;
        CPython's ssl has none. With a pin hook: finish the handshake first, then call the
        hook on the server's certificate (depth 0). False: it would block."""
        try:
            self.s.do_handshake()
        except _WOULD_BLOCK:
            return False
        except ssl.SSLCertVerificationError as e:
            raise ValueError(e.verify_message or str(e))
        hook, self.pin = self.pin, None
        r = hook(memoryview(self.s.getpeercert(True) or b""), 0)
        if r:
            raise OSError(r, "MBEDTLS_ERR_X509_FATAL_ERROR")
        return True

    def fileno(self):
        return self.s.fileno()

    def connect(self, addr):
        self.s.connect(addr)

    def readinto(self, buf):
        if self.pin is not None and not self._handshake():
            return None
        try:
            return self.s.recv_into(buf)
        except _WOULD_BLOCK:
            return None
        except ssl.SSLCertVerificationError as e:
            raise ValueError(e.verify_message or str(e))

    def write(self, buf):
        if self.pin is not None and not self._handshake():
            return None
        try:
            return self.s.send(buf)
        except _WOULD_BLOCK:
            return None
        except ssl.SSLCertVerificationError as e:
            raise ValueError(e.verify_message or str(e))

    def getpeercert(self, binary=False):
        return self.s.getpeercert(binary)

    def close(self):
        self.s.close()


def tcp_socket(family):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setblocking(False)
    return Sock(s)


def listen_socket(family, sa, backlog):
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(sa)
        s.listen(backlog)
        s.setblocking(False)
    except BaseException:
        s.close()
        raise
    return Sock(s)


def listen(s, backlog):
    s.s.listen(backlog)


def accept(ls):
    try:
        s, sa = ls.s.accept()
    except BlockingIOError:
        return None
    s.setblocking(False)
    return Sock(s), sa


def udp_socket(family):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setblocking(False)
    return Sock(s)


def bind(s, sa):
    s.s.bind(sa)


def sendto(s, data, sa):
    try:
        return s.s.sendto(data, sa)
    except BlockingIOError:
        return None


def recvfrom(s, n):
    try:
        return s.s.recvfrom(n)
    except BlockingIOError:
        return None


def local_addr(s):
    try:
        return s.s.getsockname()
    except OSError:
        return None


_OPTS = {"reuseaddr": (socket.SOL_SOCKET, socket.SO_REUSEADDR),
         "keepalive": (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
         "broadcast": (socket.SOL_SOCKET, socket.SO_BROADCAST),
         "sndbuf": (socket.SOL_SOCKET, socket.SO_SNDBUF),
         "rcvbuf": (socket.SOL_SOCKET, socket.SO_RCVBUF),
         "nodelay": (socket.IPPROTO_TCP, socket.TCP_NODELAY),
         "ttl": (socket.IPPROTO_IP, socket.IP_TTL),
         "multicast_ttl": (socket.IPPROTO_IP, socket.IP_MULTICAST_TTL),
         "multicast_loop": (socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP),
         "add_membership": (socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP),
         "drop_membership": (socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP),
         "linger": (socket.SOL_SOCKET, socket.SO_LINGER),
         "oobinline": (socket.SOL_SOCKET, socket.SO_OOBINLINE),
         "multicast_if": (socket.IPPROTO_IP, socket.IP_MULTICAST_IF),
         "multicast_all": (socket.IPPROTO_IP, 49)}  # IP_MULTICAST_ALL (Linux)


def sockopt(s, name, value):
    lo = _OPTS.get(name)
    if lo is None:
        return False
    if s is not None:
        s.s.setsockopt(lo[0], lo[1], value)
    return True


def io_wait(s):
    return wait_readable(s)


def sock_error(s):
    return s.s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)


def unix_addr(path):
    return path if hasattr(socket, "AF_UNIX") else None


def mem_free():
    return None


def tls_context(server_side=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server_side else ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def tls_verify(ctx, ca_ders, verify):
    for der in ca_ders:
        ctx.load_verify_locations(cadata=bytes(der))
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.verify_mode = ssl.CERT_REQUIRED


def tls_pin(ctx, hook):
    # Sock runs it after the handshake; getpeercert(True) gives the DER even under CERT_NONE.
    ctx.netstack_pin = hook


def _pem(der, label):
    import base64
    b = base64.encodebytes(bytes(der)).decode()
    return "-----BEGIN %s-----\n%s-----END %s-----\n" % (label, b, label)


def tls_cert_chain(ctx, cert_der, key_der):
    # CPython loads key material from files only; write PEM to a private temp dir.
    with tempfile.TemporaryDirectory() as d:
        c = os.path.join(d, "c.pem")
        with open(c, "w") as f:
            f.write(_pem(cert_der, "CERTIFICATE"))
        last = None
        for label in ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"):
            k = os.path.join(d, "k.pem")
            with open(k, "w") as f:
                f.write(_pem(key_der, label))
            try:
                ctx.load_cert_chain(c, k)
                return
            except ssl.SSLError as e:
                last = e
        raise ValueError("bad client certificate or key: %s" % last)


def tls_wrap(ctx, s, server_hostname=None, server_side=False):
    return Sock(ctx.wrap_socket(s.s, server_side=server_side, do_handshake_on_connect=False,
                                server_hostname=None if server_side else server_hostname),
                None if server_side else getattr(ctx, "netstack_pin", None))


tls_knows_end = True


def tls_cipher(s):
    c = s.s.cipher()  # None before the handshake ends
    return None if c is None else (c[0], c[1])


def tls_alpn(ctx, protocols):
    ctx.set_alpn_protocols(protocols)
    return True


def tls_versions(ctx, lo, hi):
    v = {"TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}
    ctx.minimum_version, ctx.maximum_version = v[lo], v[hi]
    return True


def peer_cert(s):
    try:
        return s.getpeercert(True)
    except (AttributeError, OSError, ValueError):
        return None


def read_file(path):
    with open(path, "rb") as f:
        return f.read()
