# The seam's TLS defaults (tls_context, tls_verify, tls_cert_chain, tls_pin, tls_wrap,
# peer_cert) for MicroPython's `tls` module. Part of the contract declared in _port.py; a
# port's netstack_port overrides these names there, and _port looks here only for a name
# it does not have. Loaded with the first TLS context.


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
    s = ctx.wrap_socket(s, server_side=server_side, do_handshake_on_connect=False,
                        server_hostname=server_hostname)
    s.setblocking(False)
    return s


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
