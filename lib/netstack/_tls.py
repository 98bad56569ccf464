# The http/fetch side of TLS: an Exchange's options -> transport.tls.context, with the
# errors as 2300xxx codes. Loaded when the first https connection opens (or a facade
# parses certificates).
from ._err import BusinessError
from . import _port
from .transport import tls as _t

try:
    from micropython import const
except ImportError:
    const = lambda x: x

_E_LOCAL_CERT = const(2300058)
_E_CA = const(2300077)


def pem_to_ders(data, code=_E_CA):
    """DER blocks from PEM text or DER bytes; a truncated block raises BusinessError(code)."""
    try:
        return _t.pem_to_ders(data)
    except ValueError as e:
        raise BusinessError(code, str(e))


def context(x):
    """The SSL context for the Exchange x: CA (caPath/caData/board default), verification,
    client certificate, pins."""
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
        return _t.context(False, ca, x.verify, cc and cc[0], cc and cc[1], hook)
    except _t.NetError as e:
        if e.stage == _t.LOAD_CERT:
            raise BusinessError(_E_LOCAL_CERT, "client " + e.text)
        if ca is None and x.verify and not _port.DEFAULT_CA_PATH:
            raise BusinessError(_E_CA, "no CA certificate to verify the server: give caPath or "
                                       "caData, or remoteValidation: 'skip'")
        raise BusinessError(_E_CA, e.text)
