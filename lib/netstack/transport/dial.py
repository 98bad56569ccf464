# Dialing: resolve -> TCP connect -> (HTTP CONNECT tunnel) -> (TLS client). Every failure
# leaves as a NetError carrying its stage, so each facade picks its own code (an unknown
# host is RESOLVE on every port, whatever number the port's getaddrinfo raised).
# No timeout here: the caller's watchdog cancels, and a cancelled dial leaks no socket.
import errno
from .. import _port, _err as _log  # the log lines live in _err
from .stream import Conn, NetError, RESOLVE, CONNECT, TUNNEL


async def dial(host, port, ctx=None, sni=None, proxy=None, buf=None, step=None):
    """A connected Conn to host:port.

    ctx: an SSL context (transport.tls.context): TLS is started with server_hostname `sni`
    or host; its handshake runs on the first read or write (stage TLS).
    proxy: (host, port, 'user:pass' or None): connect there and open a CONNECT tunnel to
    host:port (only with TLS on top, as curl does for https; plain http through a proxy
    needs no tunnel).
    buf: a proto.RecvBuf for the proxy's answer (else a small one is made).
    step(stage): called as RESOLVE, CONNECT and TUNNEL complete (timing marks).
    Raises NetError(RESOLVE/CONNECT/TUNNEL, ...)."""
    th, tp = (proxy[0], proxy[1]) if proxy is not None else (host, port)
    c = await connect(th, tp, step, proxy is not None)
    try:
        if proxy is not None and ctx is not None:
            from .tunnel import tunnel  # with a proxy only
            await tunnel(c, host, port, proxy[2], buf)
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
    ready = getattr(_port, "net_ready", None)    # boards only: see _port's contract
    if ready is not None and not ready():   # a board knows its WiFi is down: fail now, say so
        raise NetError(CONNECT, getattr(errno, "ENETDOWN", 100),
                       "network is down (not connected): %s:%d not tried" % (host, port), via_proxy)
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
