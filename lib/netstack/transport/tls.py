# TLS contexts from neutral options (no facade's option names or codes) and PEM -> DER.
# Loaded when the first TLS connection or server is set up; the certificate-pinning hook
# is in transport/pin.py, loaded only when pins are used.
import binascii
from .. import _port
from . import NetError

_LOAD_CA = const(5)    # transport's stages
_LOAD_CERT = const(6)

def pem_to_ders(data):
    """DER blocks (certificates or a key) from PEM text (any number of blocks) or DER bytes;
    a truncated block raises ValueError."""
    if isinstance(data, str):
        data = data.encode()
    i = data.find(b"-----BEGIN")
    if i < 0:
        return [bytes(data)] if data else []
    out = []
    while i >= 0:
        s = data.find(b"\n", i)
        e = data.find(b"-----END", s)
        if s < 0 or e < 0:
            raise ValueError("truncated PEM block")
        out.append(binascii.a2b_base64(data[s:e].replace(b"\r", b"").replace(b"\n", b"")))
        i = data.find(b"-----BEGIN", e)
    return out


def cert_key(paths):
    """(certificate DER, key DER) read from the files of {'certPath', 'keyPath'} (a
    webSocket clientCert or serverCert). Raises OSError, KeyError, IndexError, TypeError
    or ValueError: the facade says which option was wrong."""
    return (pem_to_ders(_port.read_file(paths["certPath"]))[0],
            pem_to_ders(_port.read_file(paths["keyPath"]))[0])


def new(server_side=False):
    """A bare SSL context for context(ctx=...). Its object is one block of about 3 KB
    (x64): a caller that makes it before its other objects (the CA's DER, the pin hook)
    finds the block the last connection's context left, not holes those split."""
    need = _port.tls_heap
    if need and not server_side and _port.mem_free() < need:
        import gc
        gc.collect()
        free = _port.mem_free()
        if free < need:
            raise MemoryError("a TLS handshake needs about %d bytes of free heap, %d free"
                              % (need, free))
    return _port.tls_context(server_side)


def context(server_side=False, ca=None, verify=True, cert=None, key=None, pin=None, ctx=None):
    """An SSL context.

    ca: DER certificates to trust (a list), or None: the port's DEFAULT_CA_PATH when
    verifying. verify: check the peer's chain (client: and name); a server with ca given
    asks clients for a certificate. cert, key: own certificate and key (DER; a server needs
    them). pin: hook(cert DER memoryview, depth) -> 0 or PIN_MISMATCH, run on the peer's
    chain inside the handshake (transport.pin.pin_hook builds one).
    Raises NetError(LOAD_CA or LOAD_CERT: stages 5, 6; None, text) for material that does
    not load, and MemoryError for a client where mbedTLS allocates from the GC heap
    (_port.tls_heap) and less than a handshake needs is free after a collection: there,
    running out inside the certificate check reads as "not correctly signed by the trusted
    CA"."""
    if ctx is None:  # (given: made by new() earlier, while the heap had a block for it)
        ctx = new(server_side)
    if ca is None and verify and not server_side and _port.DEFAULT_CA_PATH:
        try:
            ca = pem_to_ders(_port.read_file(_port.DEFAULT_CA_PATH))
        except (OSError, ValueError):
            raise NetError(_LOAD_CA, None, "default CA bundle %s not found" % _port.DEFAULT_CA_PATH)
    if verify and not ca and not server_side:
        raise NetError(_LOAD_CA, None, "no CA certificate to verify the server")
    try:
        _port.tls_verify(ctx, ca or (), verify and (bool(ca) or not server_side))
    except (ValueError, OSError) as e:
        raise NetError(_LOAD_CA, None, "CA certificate rejected: %s" % e)
    if cert is not None:
        try:
            _port.tls_cert_chain(ctx, cert, key)
        except (ValueError, OSError) as e:
            raise NetError(_LOAD_CERT, None, "certificate or key rejected: %s" % e)
    if pin is not None:
        _port.tls_pin(ctx, pin)
    return ctx
