# The http/fetch side of TLS: an Exchange's options -> transport.tls.context, with the
# errors as 2300xxx codes. Loaded when the first https connection opens (or a facade
# parses certificates).
from ._err import BusinessError
from . import _port
from .transport import tls as _t


_E_OOM = const(2300027)
_E_LOCAL_CERT = const(2300058)
_E_RECV = const(2300056)
_E_PEER_CERT = const(2300060)
_E_CA = const(2300077)
_LOAD_CERT = const(6)  # transport's stage


def pem_to_ders(data, code=_E_CA):
    """DER blocks from PEM text or DER bytes; a truncated block raises BusinessError(code)."""
    try:
        return _t.pem_to_ders(data)
    except ValueError as e:
        raise BusinessError(code, str(e))


def context(x):
    """The SSL context for the Exchange x: CA (caPath/caData/board default), verification,
    client certificate, pins."""
    try:  # the context first (see transport.tls.new): then the CA's DER and the hook
        ctx = _t.new()
    except MemoryError as e:  # too little heap for a handshake (_port.tls_heap)
        raise BusinessError(_E_OOM, "out of memory: %s" % e)
    ca = x.ca
    try:
        if x.ca_path:
            ca = pem_to_ders(_port.read_file(x.ca_path))
        elif x.ca_data:
            ca = pem_to_ders(x.ca_data)
    except OSError:
        raise BusinessError(_E_CA, "CA file %s cannot be read" % x.ca_path)
    hook = None
    if x.pins:
        from .transport.pin import pin_hook
        x.pin_failed = []
        hook = pin_hook(x.pins, x.pin_failed)
    cc = x.client_cert
    try:
        return _t.context(False, ca, x.verify, cc and cc[0], cc and cc[1], hook, ctx)
    except _t.NetError as e:
        if e.stage == _LOAD_CERT:
            raise BusinessError(_E_LOCAL_CERT, "client " + e.text)
        if ca is None and x.verify and not _port.DEFAULT_CA_PATH:
            raise BusinessError(_E_CA, "no CA certificate to verify the server: give caPath or "
                                       "caData, or remoteValidation: 'skip'")
        raise BusinessError(_E_CA, e.text)


def handshake_error(e):
    """The BusinessError for an OSError from mbedTLS in a handshake, or None (not mbedTLS's)."""
    c = e.args[0] if e.args and isinstance(e.args[0], int) else 0
    if c == 12:  # ENOMEM: mbedTLS could not allocate (MBEDTLS_ERR_SSL_ALLOC_FAILED)
        return BusinessError(_E_OOM, "out of memory in the TLS handshake")
    if c == -0x2700:  # MBEDTLS_ERR_X509_CERT_VERIFY_FAILED
        return verify_error("mbedTLS -0x2700")
    if c < 0:
        return BusinessError(_E_RECV, "TLS handshake failed (mbedTLS -0x%04x)" % -c)
    return None


def verify_error(text):
    """The error for a failed certificate check (text: mbedTLS's words): 2300060, or 2300027
    where mbedTLS allocates from the GC heap (_port.tls_heap) and, with the session still
    open, less than a quarter of a handshake's need is free: a failed allocation inside the
    check reads as "not correctly signed by the trusted CA" (on rp2 the session holds about
    24.5 KB of the 29-31 KB a verified GET needs: the check itself takes the rest)."""
    need = _port.tls_heap
    if need:
        import gc
        gc.collect()
        free = _port.mem_free()
        if free < need >> 2:
            return BusinessError(_E_OOM, "out of memory in the TLS handshake: %d bytes free with "
                                         "the session open (mbedTLS said: %s)" % (free, text))
    return BusinessError(_E_PEER_CERT, "certificate verification failed: " + text)
