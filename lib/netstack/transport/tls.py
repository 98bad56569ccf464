# TLS contexts from neutral options (no facade's option names or codes), PEM -> DER, and
# the certificate-pinning hook. Loaded when the first TLS connection or server is set up.
import binascii
from .. import _port
from .stream import NetError, LOAD_CA, LOAD_CERT

# What a pin hook returns on a mismatch: mbedTLS's code for "the verify callback failed"
# (MBEDTLS_ERR_X509_FATAL_ERROR). It ends the handshake with OSError(-0x3000, ...).
PIN_MISMATCH = -0x3000


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


def context(server_side=False, ca=None, verify=True, cert=None, key=None, pin=None):
    """An SSL context.

    ca: DER certificates to trust (a list), or None: the port's DEFAULT_CA_PATH when
    verifying. verify: check the peer's chain (client: and name); a server with ca given
    asks clients for a certificate. cert, key: own certificate and key (DER; a server needs
    them). pin: hook(cert DER memoryview, depth) -> 0 or PIN_MISMATCH, run on the peer's
    chain inside the handshake (pin_hook builds one).
    Raises NetError(LOAD_CA or LOAD_CERT, None, text) for material that does not load."""
    ctx = _port.tls_context(server_side)
    if ca is None and verify and not server_side and _port.DEFAULT_CA_PATH:
        try:
            ca = pem_to_ders(_port.read_file(_port.DEFAULT_CA_PATH))
        except (OSError, ValueError):
            raise NetError(LOAD_CA, None, "default CA bundle %s not found" % _port.DEFAULT_CA_PATH)
    if verify and not ca and not server_side:
        raise NetError(LOAD_CA, None, "no CA certificate to verify the server")
    try:
        _port.tls_verify(ctx, ca or (), verify and (bool(ca) or not server_side))
    except (ValueError, OSError) as e:
        raise NetError(LOAD_CA, None, "CA certificate rejected: %s" % e)
    if cert is not None:
        try:
            _port.tls_cert_chain(ctx, cert, key)
        except (ValueError, OSError) as e:
            raise NetError(LOAD_CERT, None, "certificate or key rejected: %s" % e)
    if pin is not None:
        _port.tls_pin(ctx, pin)
    return ctx


def _tlv(b, i, end):
    """(tag, content start, content end) of the DER element at b[i]; ValueError if it
    does not fit before `end`."""
    if i + 2 > end:
        raise ValueError
    t, n = b[i], b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        if not 0 < k < 5 or i + k > end:
            raise ValueError
        n = 0
        for j in range(i, i + k):
            n = (n << 8) | b[j]
        i += k
    if i + n > end:
        raise ValueError
    return t, i, i + n


def spki_hash(der):
    """base64 SHA-256 of an X.509 certificate's SubjectPublicKeyInfo; ValueError on garbage.
    Certificate -> tbsCertificate -> [0] version?, serial, signature, issuer, validity,
    subject, subjectPublicKeyInfo."""
    import hashlib
    b = memoryview(der)
    t, i, e = _tlv(b, 0, len(b))
    if t != 0x30:
        raise ValueError
    t, i, e = _tlv(b, i, e)
    if t != 0x30:
        raise ValueError
    t, s, n = _tlv(b, i, e)
    if t == 0xA0:
        i = n
    for _ in range(5):
        t, s, i = _tlv(b, i, e)
    t, s, n = _tlv(b, i, e)
    if t != 0x30:
        raise ValueError
    return binascii.b2a_base64(hashlib.sha256(b[i:n]).digest())[:-1].decode()


def pin_hook(pins, failed):
    """A hook for context(pin=...): the peer's certificate (depth 0) must have an SPKI hash
    (spki_hash) in `pins`. A mismatch fails the handshake and appends its message to the
    list `failed` (the facade maps that to its pin code). The hook holds only these two:
    a kept-alive connection must not keep a request alive."""

    def hook(cert, depth):
        # mbedTLS calls this for each certificate of the chain, the root first and the
        # server's last (depth 0). `cert` is a memoryview into mbedTLS's own buffer, valid
        # only during this call: never keep it. Never raise either (that would unwind
        # through mbedTLS): any failure is a mismatch.
        if depth:
            return 0
        try:
            h = spki_hash(cert)
        except Exception:
            h = None
        if h is not None and h in pins:
            return 0
        failed.append(("certificate pinning: the server's public key hash sha256//%s "
                       "matches none of the pinned hashes" % h) if h else
                      "certificate pinning: cannot read the server certificate's public key")
        return PIN_MISMATCH

    return hook
