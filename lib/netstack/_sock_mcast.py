# MulticastSocket of @ohos.net.socket, loaded by the first constructMulticastSocketInstance
# (a program with plain UDP sockets does not load it: RAM).
from ._err import BusinessError, param
from . import _port
from ._sock import CLIENT_BASE, BOUND, net_address, need_ip, error_of, op, uint
from ._sock_udp import UDPSocket


_ENODEV = const(19)
_EINVAL = const(22)
_EOPNOTSUPP = const(95)
_EAFNOSUPPORT = const(97)
_EADDRNOTAVAIL = const(99)


def _honoured(name):
    # EOPNOTSUPP where the port cannot set this option (reported, never dropped)
    if not _port.sockopt(None, name, 0):
        raise BusinessError(CLIENT_BASE + _EOPNOTSUPP, name + " is not supported on this port")


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
        self._check_state()
        name = "add_membership" if join else "drop_membership"
        _honoured(name)
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
        return op(self, self._set(uint(ttl, "ttl", 255), True), callback)

    def setLoopbackMode(self, flag, callback=None):
        if not isinstance(flag, bool):
            raise param("flag must be a boolean")
        return op(self, self._set(flag, False), callback)

    async def _set(self, v, ttl):
        self._check_state()
        name = "multicast_ttl" if ttl else "multicast_loop"
        _honoured(name)
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
        self._check_state()
        return self._ttl if ttl else self._loop

    def setReuseAddress(self, flag):
        """Synchronous, before the socket is bound (OpenHarmony API 26)."""
        if not isinstance(flag, bool):
            raise param("setReuseAddress(flag: boolean)")
        self._check_state()
        self._reuse = flag
