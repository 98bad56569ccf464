# Dialing: resolve -> TCP connect -> (HTTP CONNECT tunnel) -> (TLS client). Every failure
# leaves as a NetError carrying its stage, so each facade picks its own code (an unknown
# host is RESOLVE on every port, whatever number the port's getaddrinfo raised).
# No timeout here: the caller's watchdog cancels, and a cancelled dial leaks no socket.
import errno
from .. import _port, _log
from .stream import Conn, NetError, RESOLVE, CONNECT, TUNNEL


async def dial(host, port, ctx=None, sni=None, proxy=None, buf=None, step=None):
    """A connected Conn to host:port.

    ctx: an SSL context (transport.tls.context): TLS is started with server_hostname `sni`
    or host; its handshake runs on the first read or write (stage TLS).
    proxy: (host, port, 'user:pass' or None): connect there and open a CONNECT tunnel to
    host:port (only with TLS on top, as curl does for https; plain http through a proxy
    needs no tunnel).
    buf: a proto.buf.RecvBuf for the proxy's answer (else a small one is made).
    step(stage): called as RESOLVE, CONNECT and TUNNEL complete (timing marks).
    Raises NetError(RESOLVE/CONNECT/TUNNEL, ...)."""
    th, tp = (proxy[0], proxy[1]) if proxy is not None else (host, port)
    c = await connect(th, tp, step, proxy is not None)
    try:
        if proxy is not None and ctx is not None:
            await _tunnel(c, host, port, proxy[2], buf)
            if step is not None:
                step(TUNNEL)
        if ctx is not None:
            if _log.on:
                _log.log("TLS", sni or host)
            c.start_tls(ctx, sni or host)
    except BaseException:  # a refused tunnel, a bad context, a timeout: nothing leaks
        c.close()
        raise
    return c


async def connect(host, port, step=None, via_proxy=False):
    """TCP connect -> Conn (stage CONNECT until a byte goes through)."""
    if _log.on:
        _log.log("resolve", host)
    try:
        family, sa = _port.resolve(host, port)
    except OSError as e:
        raise NetError(RESOLVE, None, "cannot resolve '%s': %s" % (host, e), via_proxy)
    if step is not None:
        step(RESOLVE)
    if _log.on:
        _log.log("connect", _port.addr(sa))
    s = _port.tcp_socket(family)
    try:
        s.connect(sa)
    except OSError as e:
        if e.args[0] != errno.EINPROGRESS:
            _port.close(s)
            raise NetError(CONNECT, e.args[0], "connect to %s:%d failed: %s" % (host, port, e),
                           via_proxy)
    c = Conn(s, sa)
    try:
        await _port.wait_writable(s)
    except BaseException:  # cancelled (timeout): do not leak the socket
        c.close()
        raise
    if step is not None:
        step(CONNECT)
    return c


async def _tunnel(c, host, port, cred, rb):
    from ..proto import http1, url, ProtoError
    hp = url.host_header(host, port, "https")
    hdrs = [("host", hp)]
    if cred:
        import binascii
        hdrs.append(("proxy-authorization",
                     "Basic " + binascii.b2a_base64(cred.encode())[:-1].decode()))
    try:
        await c.write(http1.request_head("CONNECT", hp, hdrs))
        if rb is None:
            from ..proto.buf import RecvBuf
            rb = RecvBuf(1024)
        while True:
            h = http1.parse_response_head(rb)
            if h is not None:
                if 100 <= h[0] < 200:
                    continue
                break
            mv = rb.space()
            if not len(mv):
                raise NetError(TUNNEL, None, "proxy answer too long", True)
            n = await c.readinto(mv)
            if not n:
                raise NetError(TUNNEL, None, "proxy closed the connection on CONNECT %s" % hp, True)
            rb.wrote(n)
    except OSError as e:
        raise NetError(c.stage, e.args[0] if e.args and isinstance(e.args[0], int) else None,
                       "proxy connection failed: %s" % e, True)
    except ProtoError as e:  # the proxy's answer is no HTTP
        raise NetError(TUNNEL, None, "bad proxy answer: %s" % e, True)
    if h[0] != 200:
        raise NetError(TUNNEL, h[0], "proxy refused CONNECT %s: %d %s" % (hp, h[0], h[1]), True)
