# UDPSocket and MulticastSocket of @ohos.net.socket, loaded by the first
# constructUDPSocketInstance / constructMulticastSocketInstance.
from ._err import BusinessError, param
from . import _aw, _port
from ._sock import (Base, CLIENT_BASE, BOUND, CLOSED, RBUF_MAX, net_address, need_ip, af, data_of,
                     set_opts, error_of, proxy_of, numeric, op, rinfo)
from .transport.udp import Datagram

try:
    from micropython import const
except ImportError:
    const = lambda x: x

_EBADF = const(9)
_ENODEV = const(19)
_EINVAL = const(22)
_EOPNOTSUPP = const(95)
_EAFNOSUPPORT = const(97)
_EADDRNOTAVAIL = const(99)
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
                    self._emit("error", BusinessError(_E_SYSTEM))
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


class MulticastSocket(UDPSocket):
    """addMembership binds (to the wildcard address and the group's port) when the socket
    is not bound yet, as OpenHarmony does; TTL and loopback apply to what it sends."""
    _ttl = 1
    _loop = True
    _reuse = True
    _iface = None   # interface address for membership and sending; None: the system's

    def _pre(self, s):
        UDPSocket._pre(self, s)
        _port.sockopt(s, "reuseaddr", int(self._reuse))
        for name, v in (("multicast_ttl", self._ttl), ("multicast_loop", int(self._loop)),
                        ("multicast_all", 0)):  # Linux: only the groups this socket joined
            try:
                _port.sockopt(s, name, v)
            except OSError:
                pass

    def addMembership(self, multicastAddress, callback=None):
        return op(self, self._member(net_address(multicastAddress, "multicastAddress"), True),
                  callback)

    def dropMembership(self, multicastAddress, callback=None):
        return op(self, self._member(net_address(multicastAddress, "multicastAddress"), False),
                  callback)

    async def _member(self, a, join):
        fam, ip, port = a
        need_ip(fam, ip)
        if fam != 1:
            raise BusinessError(CLIENT_BASE + _EAFNOSUPPORT,
                                "IPv6 multicast is not supported on this port")
        g = bytes(int(x) for x in ip.split("."))
        if not 224 <= g[0] <= 239:
            raise BusinessError(CLIENT_BASE + _EINVAL, ip + " is not a multicast address")
        if self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket closed")
        name = "add_membership" if join else "drop_membership"
        if not _port.sockopt(None, name, 0):
            raise BusinessError(CLIENT_BASE + _EOPNOTSUPP, name + " is not supported on this port")
        if not self._st & BOUND:
            if not join:
                raise BusinessError(CLIENT_BASE + _EADDRNOTAVAIL, "not a member of " + ip)
            self._open(1, "0.0.0.0", port)
        s = self._d.s
        try:
            try:
                _port.sockopt(s, name, g + (self._iface or b"\0\0\0\0"))
            except OSError as e:
                # No multicast route (a network namespace with only loopback, a board
                # whose interface is not up): join and send on the loopback interface.
                if not join or e.args[0] != _ENODEV or self._iface:
                    raise
                self._iface = lo = b"\x7f\0\0\x01"
                _port.sockopt(s, name, g + lo)
                _port.sockopt(s, "multicast_if", lo)
        except OSError as e:
            raise error_of(e)

    def setMulticastTTL(self, ttl, callback=None):
        if not isinstance(ttl, int) or isinstance(ttl, bool) or not 0 <= ttl <= 255:
            raise param("ttl must be an integer 0-255")
        return op(self, self._set(ttl, True), callback)

    def setLoopbackMode(self, flag, callback=None):
        if not isinstance(flag, bool):
            raise param("flag must be a boolean")
        return op(self, self._set(flag, False), callback)

    async def _set(self, v, ttl):
        if self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket closed")
        name = "multicast_ttl" if ttl else "multicast_loop"
        if not _port.sockopt(None, name, 0):
            raise BusinessError(CLIENT_BASE + _EOPNOTSUPP, name + " is not supported on this port")
        if self._d is not None:
            try:
                _port.sockopt(self._d.s, name, int(v))
            except OSError as e:
                raise error_of(e)
        if ttl:
            self._ttl = v
        else:
            self._loop = v

    def getMulticastTTL(self, callback=None):
        return op(self, self._get(True), callback)

    def getLoopbackMode(self, callback=None):
        return op(self, self._get(False), callback)

    async def _get(self, ttl):
        # MicroPython has no getsockopt: the value last set (the socket has it too)
        if self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket closed")
        return self._ttl if ttl else self._loop

    def setReuseAddress(self, flag):
        """Synchronous, before the socket is bound (OpenHarmony API 26)."""
        if not isinstance(flag, bool):
            raise param("setReuseAddress(flag: boolean)")
        if self._st & CLOSED:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket closed")
        self._reuse = flag
