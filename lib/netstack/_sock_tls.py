# TLSSocket of @ohos.net.socket and what TLS servers share with it, loaded by the first
# constructTLSSocketInstance (servers: _sock_tlss). TLS is the TCP
# classes plus transport.tls: contexts from secureOptions, start on the Conn, and the
# certificate hook that both captures the peer's certificate and tells when its chain was
# checked (docs/socket.md: what each getter returns on each runtime).
from ._err import BusinessError, param
from . import _port
from ._sock import (TCPSocket, Stream, DONE, rx_view, SERVER_BASE, CLOSED, CONNECTED, connect_args, dial, op,
                     error_of, deadline)
from .transport import tls as _tls
from . import transport
from .transport import tcp as _tcp


_E_SSL = const(2303501)      # SSL is null: no context (bad material), nothing to report
_E_READ = const(2303502)     # reading on the TLS socket failed (handshake alerts too)
_E_WRITE = const(2303503)    # writing on the TLS socket failed
_E_VERIFY = const(2303504)   # the X.509 certificate did not verify
_E_FD = const(2303601)       # upgrade: invalid socket
_E_NOTCONN = const(2303602)  # upgrade: socket not connected
_E_TIMEDOUT = const(2303210)
_TLS = const(3)        # transport's stages (keep in step): TLS, LOAD_CA, LOAD_CERT
_LOAD_CA = const(5)
_LOAD_CERT = const(6)


def tls_error(e, writing=False):
    """OpenHarmony's code for a TLS failure: 2303504 verification, 2303502/2303503 read or
    write (alerts, a peer that breaks the handshake), 2303100 + errno for the system's
    errors, 2303501 for certificates or keys that do not load. (A BusinessError as it is,
    out of memory 2300002: error_of.)"""
    if isinstance(e, ValueError):  # MicroPython's and the shim's verification failure
        return BusinessError(_E_VERIFY, str(e).strip())
    stage = getattr(e, "stage", None)
    c = getattr(e, "code", None)
    if stage is None and isinstance(e, OSError) and e.args:
        c = e.args[0]
    if stage == _LOAD_CA or stage == _LOAD_CERT:
        return BusinessError(_E_SSL, str(e))
    if stage == _TLS and c is None or c == -0x2700 or c == -0x3000:  # (X509: verify failed, fatal)
        return BusinessError(_E_VERIFY, str(e))
    if "SSL" in type(e).__name__ or isinstance(c, int) and c < 0:  # an SSL error, mbedTLS code
        return BusinessError(_E_WRITE if writing else _E_READ, str(e))
    return error_of(e, SERVER_BASE)


def _strs(o, k, limit=1000):
    """o[k] as a list of strings (a string is a list of one; limit 0: a string only), or
    None when absent; 401 for anything else."""
    v = o.get(k)
    if isinstance(v, str):
        return [v]
    if v is not None and (not limit or not isinstance(v, list) or len(v) > limit or
                          any(not isinstance(x, str) for x in v)):
        raise param("%s must be a string%s" % (k, " or a list of them" if limit else ""))
    return v


def _ders(v, what):
    """DER blocks from PEM strings (None: None); 401 for a block that does not decode."""
    if v is None:
        return None
    out = []
    for x in v:
        try:
            out += _tls.pem_to_ders(x)
        except ValueError as e:
            raise param("%s: %s" % (what, e))
    return out


_VERSIONS = ["TLSv1.2", "TLSv1.3"]


class Secure:
    """secureOptions, checked at the call: ca/cert/key as DER, protocols, signature
    algorithms. A heap without room for the DER is the operation's error, 2300002 from
    ok() (the system's, not the arguments': no bare MemoryError from the call)."""
    oom = False

    def __init__(self, so, server):
        if so is None:
            so = {}
        if not isinstance(so, dict):
            raise param("secureOptions must be an object")
        key = _strs(so, "key", 1)
        if key and "ENCRYPTED" in key[0]:
            # MicroPython's binding takes no password: an encrypted key cannot load
            raise BusinessError(_E_SSL, "encrypted private keys are not supported on this port")
        p = _strs(so, "protocols") or _VERSIONS
        if any(x not in _VERSIONS for x in p):
            raise param("protocols must be 'TLSv1.2', 'TLSv1.3' or a list of them")
        self.protocols = p
        sa = _strs(so, "signatureAlgorithms", 0)
        _strs(so, "cipherSuite", 0)
        self.sigalgs = [x for x in sa[0].split(":") if x] if sa else []
        self.two_way = so.get("isBidirectionalAuthentication") is True
        ca = _strs(so, "ca")
        cert = _strs(so, "cert", 10)
        try:  # (the DER last: 401s first)
            self.ca = _ders(ca, "ca")
            self.cert = (_ders(cert, "cert") or (None,))[0]
            self.key = (_ders(key, "key") or (None,))[0]
        except MemoryError:
            self.oom = True
            return
        if (self.cert is None) != (self.key is None) or server and self.cert is None:
            raise param("cert and key go together (a server needs both)")

    def ok(self):
        if self.oom:
            raise error_of(MemoryError())

    def context(self, server, verify, hook, alpn=None, ctx=None):
        try:
            ctx = _tls.context(server, self.ca, verify, self.cert, self.key,
                               hook if (verify or not server) else None, ctx)
        except Exception as e:
            raise tls_error(e)
        p = sorted(self.protocols)
        _port.tls_versions(ctx, p[0], p[-1])  # False: the binding's build decides
        if alpn:
            _port.tls_alpn(ctx, alpn)  # False: no ALPN in this binding (docs/socket.md)
        return ctx


def getter(name, *a):
    """A TLS getter method: its operation's code is _sock_tlsg's `name`, loaded by the first
    getter called (most programs call none: RAM)."""
    def get(sk, callback=None):
        from . import _sock_tlsg
        return op(sk, getattr(_sock_tlsg, name)(sk, *a), callback)
    return get


class TLSGetters:
    """Getters shared by TLS sockets and TLS server connections."""
    _sec = None
    _peer = None     # the peer's certificate (DER), captured by the hook
    _over = False    # the handshake is known to be over (data went through)

    def _hook(self, cert, depth):
        # mbedTLS: root first, the peer's own at depth 0 (a memoryview valid during the call)
        if depth == 0:
            self._peer = bytes(cert)
        return 0

    def _deliver(self, mv, n):
        self._over = True
        Stream._deliver(self, mv, n)

    def _io_error(self, e, writing):
        return tls_error(e, writing)

    def send(self, options, callback=None):
        # (Stream.send's fast path does not look at c.tls: a TCP send is a lookup cheaper;
        # the other paths mark it themselves)
        aw = Stream.send(self, options, callback)
        if aw is DONE:  # written at the call (through TLS unless an upgrade is pending)
            c = self._c
            if c is not None and c.tls:
                self._over = True
        return aw

    getRemoteCertificate = getter("remote_cert")
    getCipherSuite = getter("cipher", 0)
    getProtocol = getter("cipher", 1)
    getSignatureAlgorithms = getter("sigalgs")


def _nodelay(s, on):
    # Nagle is off while the client's handshake runs (then back to the socket's setting):
    # mbedTLS writes each record of a flight on its own (ClientKeyExchange,
    # ChangeCipherSpec, Finished), and Nagle held the last two until the server ACKed the
    # first, which a server delays (40 ms on Linux): 44 ms more per connect on 127.0.0.1,
    # and in the first send (docs/socket.md, "Speed"). A port without the option: as before.
    try:
        return _port.sockopt(s, "nodelay", on)
    except Exception:  # (a socket taken over by TLS: detached, or no options of its own)
        return False


def opt_sock(c, s):
    """The socket that takes c's socket options: the TCP socket under TLS where the TLS
    socket has no setsockopt (MicroPython's: setExtraOptions on a connected TLSSocket
    raised AttributeError), else s (CPython's TLS socket has them; its TCP socket is
    detached). getSocketFd reads the same socket."""
    if c is not None and s is c.s and c.raw is not None and not hasattr(s, "setsockopt"):
        return c.raw
    return s


_SEAM = "tls_heap tls_verify tls_pin tls_wrap tls_versions tls_alpn"  # (one str: no tuple)


class TLSSocket(TLSGetters, TCPSocket):
    BASE = SERVER_BASE
    _hs = None  # the Conn whose handshake connect() runs

    def __init__(self):
        # The SSL context (one ~3 KB block on the unix port) is made with the socket and
        # set up at connect, and the seam's TLS names are bound now (that grows _port's
        # dict): by connect time the program's other sockets, tasks and buffers may have
        # cut the heap into smaller holes (a TCP, a UDP and a TLS client at 110k with the
        # code as .mpy had none of 3 KB left at connect). No block now: made at connect.
        try:
            self._ctx = _port.tls_context(False)
            for n in _SEAM.split():
                getattr(_port, n)
        except MemoryError:
            self._ctx = None

    def _sock(self):
        return opt_sock(self._c, TCPSocket._sock(self))

    def _shut(self):
        # close() while connect() runs the handshake: its connection closes too, so the
        # handshake's wait ends now (not at the connect's timeout), and with it the TLS
        # socket's entry in the port's wait table (_porttls.WAITS)
        c = self._hs
        if c is not None:
            c.close()
        return TCPSocket._shut(self)

    def connect(self, options, callback=None):
        a = connect_args(options)  # (401s at the call)
        sec = Secure(options.get("secureOptions"), False)
        alpn = options.get("ALPNProtocols")
        if alpn is not None and (not isinstance(alpn, list) or
                                 any(not isinstance(x, str) for x in alpn)):
            raise param("ALPNProtocols must be a list of strings")
        skip = options.get("skipRemoteValidation")
        if skip is not None and not isinstance(skip, bool):
            raise param("skipRemoteValidation must be a boolean")
        return op(self, self._tls_connect(a, sec, alpn, skip), callback)

    async def _tls_connect(self, a, sec, alpn, skip):
        fam, host, port, tmo, proxy = a
        sec.ok()
        self._sec = sec
        self._check_state()
        conn = self._c  # upgraded from a connected TCPSocket: TLS on its connection
        if conn is None:
            try:
                conn = await dial(self, fam, host, port, tmo, proxy, SERVER_BASE)
            except BusinessError as e:
                if e.code == SERVER_BASE + 115:  # a connect timeout
                    raise BusinessError(_E_TIMEDOUT, e.message)
                raise
            self._s = None
        elif self._st & CONNECTED and conn.tls:
            raise BusinessError(SERVER_BASE + 106, "already connected")
        self._hs = conn  # (close() meanwhile closes it: see _shut)
        try:
            ctx, self._ctx = self._ctx, None
            ctx = sec.context(False, not skip, self._hook, (alpn or [])[:10], ctx)
            raw = conn.s
            nagle = not (self._opts and self._opts.get("TCPNoDelay"))
            if nagle:
                _nodelay(raw, 1)
            # the name checked against the certificate: the host asked for (an IP too)
            transport.start(conn, ctx, host)  # (and its log line)
            mv = memoryview(bytearray(1))
            n = await deadline(_tcp.handshake(conn, lambda: self._peer is not None, mv), tmo,
                               SERVER_BASE)
            if nagle:  # (CPython's ssl took the socket over: its wrapper's then)
                _nodelay(raw, 0) or _nodelay(conn.s, 0)
        except BaseException as e:
            closed = self._st & CLOSED  # close() ended the handshake
            conn.close()
            self._c = None
            if self._st & CONNECTED:  # an upgraded socket: its connection is gone
                self._shut()
            if isinstance(e, Exception):
                if closed:
                    e = None
                elif isinstance(e, BusinessError) and e.code == SERVER_BASE + 110:
                    raise BusinessError(_E_TIMEDOUT, "TLS handshake timed out after %d ms" % tmo)
                else:
                    raise tls_error(e)
            if e is not None:
                raise
        finally:
            self._hs = None
        if self._st & CLOSED:
            conn.close()
            raise BusinessError(SERVER_BASE + 9, "socket closed while connecting")
        if self._c is None:
            self._start(conn)
        else:
            # upgraded: a new reader, on TLS
            conn.task = _port.spawn(_tcp.pump(conn, self._rbs(), rx_view, self))
        self._emit("connect")
        if n and self._has("message"):
            self._deliver(mv, n)

    getCertificate = getter("own_cert")


def new_socket(tcp):
    t = TLSSocket()
    if tcp is None:
        return t
    if type(tcp) is not TCPSocket:  # (not a TLSSocket, nor a LocalSocket)
        raise param("constructTLSSocketInstance(tcpSocket: TCPSocket)")
    if tcp._st & CLOSED:
        raise BusinessError(_E_FD, "the TCPSocket is closed")
    if not tcp._st & CONNECTED or tcp._c is None:
        raise BusinessError(_E_NOTCONN, "the TCPSocket is not connected")
    # Take over its connection: its reader stops (cancelled while it waits to read; no
    # write may be in flight), its events end, it needs no close of its own.
    c = tcp._c
    task = getattr(c, "task", None)
    if task is not None:
        task.cancel()
    t._c, tcp._c = c, None
    t._remote, t._local, t._opts = tcp._remote, tcp._local, tcp._opts
    t._st = tcp._st
    tcp._st = CLOSED
    return t
