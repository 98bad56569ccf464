# ProxyOptions (SOCKS5) for netstack.socket's TCP/TLS and UDP sockets: the proxy is
# reached with transport, the protocol is proto.socks5 (sans-I/O), and this file maps its
# failures to OpenHarmony's 2301206-2301213. Loaded by the first proxied connect or send.
# (No import of _sock, which loads this module: it hands over its direct dial and its
# deadline helper as `fns`.)
from ._err import BusinessError
from . import _port
from .proto import socks5 as _s5


_CLIENT = const(2301000)
_E_PROXY = const(2301206)    # failed to connect to the proxy server
_E_AUTH = const(2301207)     # username or password invalid
_E_REMOTE = const(2301208)   # the proxy failed to connect to the remote server
_E_METHOD = const(2301209)   # no acceptable authentication method
_E_SEND = const(2301210)
_E_RECV = const(2301211)
_E_ENCODE = const(2301212)   # serialization error
_E_DECODE = const(2301213)   # deserialization error
# proto.socks5's error kinds (METHOD, AUTH, REPLY, DECODE, ENCODE: 0-4) -> codes
_KIND = (_E_METHOD, _E_AUTH, _E_REMOTE, _E_DECODE, _E_ENCODE)


class _Holder:
    """What _sock.dial needs of a socket object, for a UDP association's connection."""
    _s = None
    _local = None
    _opts = None


async def _open(fns, sk, proxy, cmd, host, port, tmo, base):
    """A connection to the proxy (for sk: see _sock.dial) with the SOCKS5 request cmd done
    -> (Conn, bound host, bound port); tmo ms for each step."""
    ph = proxy[0]
    try:
        conn = await fns[0](sk, 2 if ":" in ph else 1, ph, proxy[1], tmo, None, base)
    except BusinessError as e:
        raise BusinessError(_E_PROXY, "failed to connect to the proxy server: %s" % e.message)
    try:
        return (conn,) + await fns[1](_exchange(conn, cmd, host, port, proxy[2], proxy[3]),
                                      tmo, base)
    except BaseException as e:
        conn.close()
        if isinstance(e, BusinessError) and e.code == base + 110:
            raise BusinessError(_E_RECV, "the proxy did not answer in %d ms" % tmo)
        raise


async def _exchange(conn, cmd, host, port, user, password):
    """The SOCKS5 handshake on conn -> the reply's (bound host, bound port). Each answer is
    read to its last byte and no further: what follows the reply is the target's (a server
    that speaks first), left in the socket for the application's reader."""
    mv = memoryview(bytearray(_s5.REPLY_MAX))

    async def send(b):
        try:
            await conn.write(b)
        except OSError as e:
            raise BusinessError(_E_SEND, "send to the proxy failed: %s" % e)

    async def answer(parse, closed, size=None):
        # closed: the code when the proxy hangs up instead of answering (some proxies,
        # pproxy among them, close on bad credentials without RFC 1929's status); size(b):
        # the answer's length as far as b tells (None: 2, the method and auth answers)
        b = b""
        while True:
            r = parse(b)
            if r is not None:
                return r
            try:
                n = await conn.readinto(mv[len(b):2 if size is None else size(b)])
            except OSError as e:
                raise BusinessError(_E_RECV, "receive from the proxy failed: %s" % e)
            if not n:
                raise BusinessError(closed, "the proxy closed the connection")
            b = bytes(mv[:len(b) + n])

    try:
        await send(_s5.greeting(user is not None))
        if await answer(_s5.parse_method, _E_METHOD) == _s5.USER_PASS:
            if user is None:
                raise _s5.Socks5Error(_s5.METHOD, "the proxy wants a username and password")
            await send(_s5.auth_request(user, password))
            await answer(_s5.parse_auth, _E_AUTH)
        await send(_s5.request(cmd, host, port))
        r = await answer(_s5.parse_reply, _E_REMOTE, _s5.reply_size)
    except _s5.Socks5Error as e:
        raise BusinessError(_KIND[e.kind], str(e))
    return r[0], r[1]


async def dial(fns, sk, host, port, tmo, proxy, base):
    """A Conn to host:port through the SOCKS5 proxy (CONNECT), for sk (TCPSocket or
    TLSSocket); host may be a name (the proxy resolves it). fns: (_sock.dial, deadline)."""
    conn = (await _open(fns, sk, proxy, _s5.CONNECT, host, port, tmo, base))[0]
    sk._remote = (host, port)  # the target, not the proxy (getRemoteAddress, remoteInfo)
    return conn


class Udp:
    """A UDP association: the TCP control connection (it lives as long as the
    association) and the relay's address; datagrams carry the SOCKS5 UDP header."""

    def __init__(self, conn, relay, key):
        self.conn = conn
        self.relay = relay
        self.rh = _port.addr(relay)[0]
        self.key = key

    def unwrap(self, data, sa):
        """(payload, source sockaddr) of a datagram from the relay, None to drop it;
        datagrams from anywhere else pass as they are."""
        h, p, v = _port.addr(sa)
        if h != self.rh or p != _port.addr(self.relay)[1]:
            return data, sa
        try:
            r = _s5.parse_udp(data)
        except _s5.Socks5Error:
            return None
        if r is None:
            return None
        return data[r[2]:], (r[0], r[1])

    def close(self):
        self.conn.close()


async def udp_send(fns, u, data, host, port, proxy):
    a = u._socks
    key = (proxy[0], proxy[1])
    if a is None or a.key != key:
        if a is not None:
            a.close()
            u._socks = None
        conn, bh, bp = await _open(fns, _Holder(), proxy, _s5.UDP_ASSOCIATE, "0.0.0.0", 0,
                                   5000, _CLIENT)
        if bh in ("0.0.0.0", "::"):
            bh = proxy[0]  # "the address the request came to"
        relay = _port.resolve(bh, bp, True)[1]
        a = u._socks = Udp(conn, relay, key)
    try:
        b = _s5.udp_header(host, port)
    except _s5.Socks5Error as e:
        raise BusinessError(_E_ENCODE, str(e))
    try:
        await u._d.sendto(b + data, a.relay)
    except Exception as e:
        raise BusinessError(_E_SEND, "send to the proxy's relay failed: %s" % e)
