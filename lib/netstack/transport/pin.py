# Certificate pinning inside the TLS handshake: the SubjectPublicKeyInfo hash of the peer's
# certificate and the hook for transport.tls.context(pin=...). Loaded only when pins are used.
import binascii

# What a pin hook returns on a mismatch: mbedTLS's code for "the verify callback failed"
# (MBEDTLS_ERR_X509_FATAL_ERROR). It ends the handshake with OSError(-0x3000, ...).
PIN_MISMATCH = -0x3000


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
