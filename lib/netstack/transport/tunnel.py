# The HTTP CONNECT tunnel through a proxy (RFC 9110 §9.3.6), and dial() through one with
# TLS on top. Loaded only when a proxy is used (the transport package does not import it:
# imports point one way).
import binascii
from ..proto import http1, url, ProtoError
from ..proto import RecvBuf
from . import NetError, connect, start

_TUNNEL = const(2)  # transport's stage


async def dial(host, port, ctx, sni, proxy, buf=None, step=None):
    """transport.dial through proxy (host, port, 'user:pass' or None): connect there; with
    TLS (ctx) open a CONNECT tunnel to host:port in it first (as curl does for https; plain
    http through a proxy needs none). buf: a proto.RecvBuf for the proxy's answer (else a
    small one is made). step(TUNNEL) too. Raises NetError(RESOLVE/CONNECT/TUNNEL, ...)."""
    c = await connect(proxy[0], proxy[1], step, True)
    if ctx is None:
        return c
    try:
        await tunnel(c, host, port, proxy[2], buf)
        if step is not None:
            step(_TUNNEL)
        start(c, ctx, sni or host)
    except BaseException:  # a refused tunnel, a bad context, a timeout: nothing leaks
        c.close()
        raise
    return c


async def tunnel(c, host, port, cred, rb):
    """Open an HTTP CONNECT tunnel to host:port over c (connected to the proxy); cred:
    'user:pass' for Proxy-Authorization or None. NetError(TUNNEL, proxy status or None)."""
    hp = url.host_header(host, port, "https")
    hdrs = [("host", hp)]
    if cred:
        hdrs.append(("proxy-authorization",
                     "Basic " + binascii.b2a_base64(cred.encode())[:-1].decode()))
    try:
        await c.write(http1.request_head("CONNECT", hp, hdrs))
        if rb is None:
            rb = RecvBuf(1024)
        while True:
            h = http1.parse_response_head(rb)
            if h is not None:
                if 100 <= h[0] < 200:
                    continue
                break
            mv = rb.space()
            if not len(mv):
                raise NetError(_TUNNEL, None, "proxy answer too long", True)
            n = await c.readinto(mv)
            if not n:
                raise NetError(_TUNNEL, None, "proxy closed the connection on CONNECT %s" % hp,
                               True)
            rb.wrote(n)
    except OSError as e:
        raise NetError(c.stage, e.errno,
                       "proxy connection failed: %s" % e, True)
    except ProtoError as e:  # the proxy's answer is no HTTP
        raise NetError(_TUNNEL, None, "bad proxy answer: %s" % e, True)
    if h[0] != 200:
        raise NetError(_TUNNEL, h[0], "proxy refused CONNECT %s: %d %s" % (hp, h[0], h[1]), True)
