# The seam's TLS defaults (tls_context, tls_verify, tls_cert_chain, tls_pin, tls_wrap,
# peer_cert) for MicroPython's `tls` module. Part of the contract declared in _port.py; a
# port's netstack_port overrides these names there, and _port looks here only for a name
# it does not have. Loaded with the first TLS context (or a CA or certificate file read).
import sys

# Where a board keeps the CA bundle used when a request gives no caPath/caData (DER or PEM
# file, one or more certificates). None: https needs caPath/caData or remoteValidation 'skip'.
DEFAULT_CA_PATH = None


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def tls_context(server_side=False):
    import tls
    return tls.SSLContext(tls.PROTOCOL_TLS_SERVER if server_side else tls.PROTOCOL_TLS_CLIENT)


def tls_verify(ctx, ca_ders, verify):
    """Trust each DER certificate in `ca_ders`; verify=False turns checking off."""
    import tls
    for der in ca_ders:
        ctx.load_verify_locations(der)
    ctx.verify_mode = tls.CERT_REQUIRED if verify else tls.CERT_NONE


def tls_cert_chain(ctx, cert_der, key_der):
    ctx.load_cert_chain(cert_der, key_der)


def tls_pin(ctx, hook):
    """Run hook(cert DER as a memoryview valid only during the call, depth) on each
    certificate of the server's chain inside the handshake, root first, the server's at
    depth 0; a non-zero (negative mbedTLS code) return fails the handshake with
    OSError(code, text). mbedTLS skips its verify callback under CERT_NONE, so
    verification off becomes CERT_OPTIONAL: chain and host errors pass, the hook runs."""
    import tls
    if ctx.verify_mode == tls.CERT_NONE:
        ctx.verify_mode = tls.CERT_OPTIONAL
    ctx.verify_callback = hook


def tls_wrap(ctx, s, server_hostname=None, server_side=False):
    """The TLS socket over the connected s; the handshake runs on the first read or write
    (mbedTLS cannot be stepped without data on MicroPython)."""
    t = ctx.wrap_socket(s, server_side=server_side, do_handshake_on_connect=False,
                        server_hostname=server_hostname)
    t.setblocking(False)
    if RAW:  # its waits go to s when mbedTLS holds nothing (tls_on); _port.close ends that
        WAITS[id(t)] = (s, t, tls_on)
    return t


# The TLS sockets whose waits go to their TCP socket (_port.wait_readable, wait_writable,
# close and transport.tcp.io_wait look here): id(TLS socket) -> (TCP socket, TLS socket,
# tls_on). The entry holds the TLS socket, so its id is not reused while it is there; it
# leaves at _port.close (every Conn.close: the library closes no TLS socket otherwise).
WAITS = {}
# Where: the unix port's poller waits on file descriptors in the kernel and polls any
# other object every 1 ms; its TLS socket has no file descriptor, so one open TLS socket
# made the idle loop poll 1,000 times a second. Boards poll every object by ioctl anyway,
# and there the TLS socket's own poll is exact: it stays. (A port that decides otherwise
# gives its own tls_wrap.)
RAW = sys.platform in ("linux", "darwin")


_p1 = _p2 = None  # select.poll objects of tls_on: s alone, s and t
_pair = None  # (t, s, ev) registered in them: kept from one probe to the next (a register
# allocates; a heap full of its garbage made gc_alloc's search 9k instructions a probe)


def tls_on(t, s, ev):
    """What the poller should wait on for TLS socket t over TCP socket s to become readable
    (ev 1) or writable (ev 4), after t said it would block (_port.wait_readable/_writable,
    for a TLS socket in WAITS) -> s: mbedTLS holds nothing and needs what s will give (t
    has no file descriptor: its own wait is a poll every 1 ms on the unix port); t:
    undecided, t's own wait (exact); None: ready now, do not wait. ev 0: t is closing,
    forget it.
    mbedTLS may hold decrypted bytes or a handshake message while s has nothing to read
    (waiting on s then could hang), or want to write while asked to read (and the other way
    round, during a handshake): t's own poll tells both (its ioctl looks at what mbedTLS
    holds and at s in the direction mbedTLS wants), but only when s can be written, since a
    t that wants to write shows as ready then. So: s writable and t not ready -> mbedTLS
    wants to read s (s for a reader; t for a writer: mbedTLS reads first, and the reader
    may wait on s already: one waiter per direction); s not writable -> s for a writer
    (mbedTLS wants to write, or tries again when it can), t for a reader."""
    global _p1, _p2, _pair
    k = _pair
    if k is None or k[0] is not t or k[2] != ev:
        if k is not None and (k[0] is not t) == bool(ev):  # another pair's, or t's at close
            _pair = None
            _p1.unregister(k[1])
            _p2.unregister(k[1])
            _p2.unregister(k[0])
        if not ev:
            return None
        if _p1 is None:
            import select
            _p1 = select.poll()
            _p2 = select.poll()
        _p1.register(s, 4)  # select.POLLOUT (again: a modify, no allocation)
        _p2.register(s, 4)
        _p2.register(t, ev)
        _pair = (t, s, ev)
    w = False
    for _ in _p1.ipoll(0):  # (s alone: the kernel's poll, no wait)
        w = True
    if not w:
        return s if ev == 4 else t
    r = s if ev == 1 else t
    for o in _p2.ipoll(0):  # (with s ready, this poll does not sleep its 1 ms for t)
        if o[0] is t:
            r = None
    return r


def tls_cipher(s):
    """(cipher suite name, protocol version) of a TLS socket whose handshake is over, or
    None where that is not known yet. MicroPython's cipher() must not be called before the
    handshake ends (it reads a session that does not exist yet and crashes): callers wait
    for data to have moved unless tls_knows_end."""
    return s.cipher()


def tls_alpn(ctx, protocols):
    """Offer these ALPN protocols; False where the binding has no ALPN (MicroPython)."""
    return False


def tls_versions(ctx, lo, hi):
    """Allow only TLS versions lo..hi ('TLSv1.2'/'TLSv1.3'); False where the binding cannot
    restrict them (MicroPython: mbedTLS's build decides)."""
    return False


# Bytes of free GC heap a verified TLS client handshake needs where mbedTLS allocates from
# the GC heap (rp2 sets it); None: TLS memory is not the GC heap's (unix, ESP32, CPython).
# transport.tls checks it before a handshake, and _tls.verify_error reads a failed certificate
# check as out of memory when the heap left with the session open is below a quarter of it.
tls_heap = None

# True where tls_cipher() itself tells whether the handshake is over (CPython); False:
# only after data went through (MicroPython)
tls_knows_end = False


def peer_cert(s):
    """DER of the peer's certificate, or None where the port cannot tell."""
    try:
        return s.getpeercert(True)
    except (AttributeError, OSError):
        return None
