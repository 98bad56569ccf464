# The TLS getters' operations (TLSSocket, TLSSocketConnection, TLSSocketServer), loaded by
# the first getter called. What each returns per runtime: docs/socket.md.
from ._err import BusinessError
from . import _port
from ._sock import CLOSED


_E_SSL = const(2303501)  # nothing to report (as OpenHarmony's "SSL is null")


def cert_blob(der):
    # X509CertRawData: {data, encodingFormat: 0 (cert.EncodingFormat.FORMAT_DER)}
    return {"data": bytes(der), "encodingFormat": 0}


async def remote_cert(sk):
    der = sk._peer
    if der is None and sk._c is not None:
        der = _port.peer_cert(sk._c.s)
    if der is None:
        raise BusinessError(_E_SSL, "no peer certificate")
    return cert_blob(der)


async def cipher(sk, i):
    c = sk._c
    if c is None or sk._st & CLOSED:
        raise BusinessError(_E_SSL, "not connected")
    info = None
    if sk._over or _port.tls_knows_end:
        info = _port.tls_cipher(c.s)
    if info is None:
        # MicroPython's binding cannot tell when a handshake ends before data moved
        # (and reading its cipher earlier would crash): known after the first exchange
        raise BusinessError(_E_SSL, "not known until data has been exchanged")
    return [info[0]] if i == 0 else info[1]


async def sigalgs(sk):
    # mbedTLS does not say which were negotiated: the ones configured, else []
    s = sk._sec
    return list(s.sigalgs) if s is not None else []


async def own_cert(sk):
    s = sk._sec
    if s is None or s.cert is None:
        raise BusinessError(_E_SSL, "no local certificate")
    return cert_blob(s.cert)


async def server_cert(srv):
    s = srv._sec
    if s is None:
        raise BusinessError(_E_SSL, "not listening")
    return cert_blob(s.cert)


async def server_proto(srv):
    # per connection the negotiated one (TLSSocketConnection has no getProtocol in
    # OpenHarmony): the highest the server allows
    s = srv._sec
    if s is None:
        raise BusinessError(_E_SSL, "not listening")
    return sorted(s.protocols)[-1]
