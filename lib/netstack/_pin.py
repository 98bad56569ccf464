# certificatePinning (@ohos.net.http, API 12), loaded only when a request uses it.
# As curl's CURLOPT_PINNEDPUBLICKEY "sha256//<base64>;..." (what OpenHarmony hands curl):
# base64(SHA-256(DER of the server certificate's SubjectPublicKeyInfo)) must equal one of
# the pins. Checked inside the handshake, before any request byte is sent; see docs/http.md.
import binascii
import hashlib
from ._err import param
from . import _port

# What the hook returns on a mismatch: mbedTLS's code for "the verify callback failed"
# (MBEDTLS_ERR_X509_FATAL_ERROR). It ends the handshake with OSError(-0x3000, ...).
MISMATCH = -0x3000


def parse(v):
    """The option value -> [base64 str]; a wrong shape raises BusinessError(401)."""
    out = []
    for p in v if isinstance(v, list) else (v,):
        h = p.get("publicKeyHash") if isinstance(p, dict) else None
        if not isinstance(h, str) or not h or p.get("hashAlgorithm") != "SHA-256":
            break
        out.append(h)
    else:
        if out:
            return out
    raise param("certificatePinning must be {publicKeyHash: base64 string, "
                "hashAlgorithm: 'SHA-256'} or a non-empty array of them")


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


def install(ctx, x):
    """Check x.pins on every handshake made with ctx. A mismatch fails the handshake and
    leaves its message in the list x.pin_failed (the engine maps that to 2300090). The hook
    holds that list, not x: a kept-alive connection must not keep the request alive."""
    pins = x.pins
    failed = x.pin_failed = []

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
        return MISMATCH

    _port.tls_pin(ctx, hook)
