# TLS set-up for the HTTP engine: PEM decoding and the SSL context of an Exchange.
# Loaded when the first https connection opens (or a facade parses certificates).
import binascii
from ._err import BusinessError
from . import _port

try:
    from micropython import const
except ImportError:
    const = lambda x: x

_E_LOCAL_CERT = const(2300058)
_E_CA = const(2300077)


def pem_to_ders(data, code=_E_CA):
    """DER blocks (certificates or a key) from PEM text (any number of blocks) or DER bytes;
    a truncated block raises BusinessError(code)."""
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
            raise BusinessError(code, "truncated PEM block")
        out.append(binascii.a2b_base64(data[s:e].replace(b"\r", b"").replace(b"\n", b"")))
        i = data.find(b"-----BEGIN", e)
    return out


def context(x):
    """The SSL context for the Exchange x: CA (caPath/caData/board default), verification,
    client certificate, pins."""
    ctx = _port.tls_context()
    ca = x.ca
    try:
        if x.ca_path:
            ca = pem_to_ders(_port.read_file(x.ca_path))
        elif x.ca_data:
            ca = pem_to_ders(x.ca_data)
    except OSError:
        raise BusinessError(_E_CA, "CA file %s cannot be read" % x.ca_path)
    if ca is None and x.verify and _port.DEFAULT_CA_PATH:
        try:
            ca = pem_to_ders(_port.read_file(_port.DEFAULT_CA_PATH))
        except OSError:
            raise BusinessError(_E_CA, "default CA bundle %s not found" % _port.DEFAULT_CA_PATH)
    if x.verify and not ca:
        raise BusinessError(_E_CA, "no CA certificate to verify the server: give caPath or "
                                   "caData, or remoteValidation: 'skip'")
    try:
        _port.tls_verify(ctx, ca or (), x.verify)
    except (ValueError, OSError) as e:
        raise BusinessError(_E_CA, "CA certificate rejected: %s" % e)
    if x.client_cert is not None:
        try:
            _port.tls_cert_chain(ctx, x.client_cert[0], x.client_cert[1])
        except (ValueError, OSError) as e:
            raise BusinessError(_E_LOCAL_CERT, "client certificate or key rejected: %s" % e)
    if x.pins:
        from . import _pin
        _pin.install(ctx, x)
    return ctx
