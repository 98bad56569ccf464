# UDPSocket of @ohos.net.socket, loaded by the first constructUDPSocketInstance
# (MulticastSocket builds on it in _sock_mcast).
from ._err import BusinessError
from . import _aw, _port
from ._sock import (Base, CLIENT_BASE, BOUND, CLOSED, RBUF_MAX, net_address, need_ip, af, data_of,
                     set_opts, error_of, proxy_of, numeric, op, rinfo)
from .transport.udp import Datagram

try:
    from micropython import const
except ImportError:
    const = lambda x: x

_EBADF = const(9)
_EINVAL = const(22)
_E_SYSTEM = const(2300002)


class UDPSocket(Base):
    EVENTS = ("message", "listening", "close", "error")
    OPTS = ("receiveBufferSize", "sendBufferSize", "reuseAddress", "socketTimeout", "broadcast")
    _d = None       # transport Datagram once bound
    _socks = None   # the SOCKS5 UDP association (_socks.Udp) once a proxied send made one
    _to = None      # the last destination: (address, port, family as given, sockaddr)

    def _sock(self):
        d = self._d
        return None if d is None else d.s

    def bind(self, address, callback=None):
        return op(self, self._bind(net_address(address)), callback)

    async def _bind(self, a):
        fam, ip, port = a
        need_ip(fam, ip)
        self._open(fam, ip, port)

    def _open(self, fam, ip, port):
        if self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket closed")
        if self._st & BOUND:
            raise BusinessError(CLIENT_BASE + _EINVAL, "socket already bound")
        d = Datagram(None, 0, af(fam))
        try:
            self._pre(d.s)
            self._local = d.bind(ip, port)
        except Exception as e:
            d.close()
            raise error_of(e)
        self._d = d
        self._st |= BOUND
        _aw.hold()
        _port.spawn(self._read())
        self._emit("listening")

    def _pre(self, s):
        if self._opts:
            set_opts(s, self._opts)

    async def _read(self):
        d = self._d
        n = self._rbs()
        err = None
        try:  # (MicroPython has no recvfrom_into: each datagram is its own bytes)
            while True:
                try:
                    r = await d.recvfrom(n)
                except MemoryError:
                    # No block of n bytes for the next datagram (recvfrom allocates its
                    # whole size first): read at most half as much from now on rather than
                    # stop reading, and say so once per step; a longer datagram is cut
                    # there (as one longer than receiveBufferSize is)
                    if n <= 256:
                        raise
                    n >>= 1
                    self._emit("error", BusinessError(_E_SYSTEM, "out of memory: reads of %d B" % n))
                    continue
                if r is None or self._st & CLOSED:
                    return
                data, sa = r
                if self._socks is not None:
                    r = self._socks.unwrap(data, sa)
                    if r is None:
                        continue
                    data, sa = r
                if self._has("message"):
                    self._emit("message", {"message": data, "remoteInfo": rinfo(sa, len(data))})
                _aw.nudge()  # (why: _aw.nudge)
        except Exception as e:
            err = e
        if not self._st & CLOSED:
            self._emit("error", error_of(err))

    def send(self, options, callback=None):
        data = data_of(options)
        a = options.get("address")
        t = self._to
        # The same destination as the last send (values, not the object): its checked
        # address and sockaddr again, without parsing, name lookup or getaddrinfo
        if (t is not None and type(a) is dict and a.get("address") == t[0]
                and a.get("port") == t[1] and a.get("family") == t[2]
                and options.get("proxy") is None):
            return op(self, self._send_sa(data, t[3]), callback)
        return op(self, self._send(data, net_address(a), proxy_of(options), a), callback)

    async def _send(self, data, na, proxy, a):
        fam, host, port = na
        d = self._d
        if self._st & CLOSED or d is None:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket is not bound (bind first)")
        if proxy is not None:
            from . import _socks
            from ._sock import dial, deadline
            return await _socks.udp_send((dial, deadline), self, data, host, port, proxy)
        sa = _port.resolve(numeric(fam, host, port, CLIENT_BASE), port, True)[1]
        self._to = (a.get("address"), a.get("port"), a.get("family"), sa)
        await self._send_sa(data, sa)

    async def _send_sa(self, data, sa):
        d = self._d
        if self._st & CLOSED or d is None:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket is not bound (bind first)")
        try:
            if d.send_now(data, sa) is None:  # (no coroutine when the socket takes it)
                await d.sendto(data, sa)
        except Exception as e:
            raise error_of(e)

    def _shut(self):
        was = self._st & BOUND
        self._st = CLOSED
        d, self._d = self._d, None
        if d is not None:
            d.close()  # the reader wakes and ends
        s, self._socks = self._socks, None
        if s is not None:
            s.close()
        if was:
            _aw.release()
        self._emit("close")
