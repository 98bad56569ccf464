# Datagram sockets (socket's UDPSocket and MulticastSocket). Loaded only by them.
from .. import _port
from . import NetError, RESOLVE, CONNECT, bind as _bind


def _code(e):
    return e.args[0] if e.args and isinstance(e.args[0], int) else None


class Datagram:
    """A non-blocking UDP socket. Datagram(host, port): bound there (port 0: any); None for
    host: unbound until the first send. NetError(RESOLVE/CONNECT, errno) on failure.
    One task may wait in recvfrom() and one in sendto() at a time; close() wakes them
    (recvfrom then returns None, sendto raises NetError(CONNECT, EBADF))."""

    def __init__(self, host=None, port=0, family=None):
        self.s = None
        self.closed = False
        self.local = None
        if host is not None:
            sa = self.sockaddr(host, port)
            family = sa[0]
            sa = sa[1]
        self.s = _port.udp_socket(family or 2)  # AF_INET is 2 everywhere
        if host is not None:
            try:
                _port.bind(self.s, sa)
            except OSError as e:
                self.close()
                raise NetError(CONNECT, _code(e), "cannot bind %s:%d: %s" % (host, port, e))
            self.local = _port.local_addr(self.s) or sa

    def bind(self, host, port):
        """Bind the socket made unbound (options set first) -> its sockaddr; port 0: see
        transport.bind. NetError(CONNECT, errno) on failure."""
        try:
            self.local = _bind(self.s, host, port, True)
        except OSError as e:
            raise NetError(CONNECT, _code(e), "cannot bind %s:%d: %s" % (host, port, e))
        return self.local

    @staticmethod
    def sockaddr(host, port):
        """-> (family, sockaddr) for host:port; NetError(RESOLVE)."""
        try:
            return _port.resolve(host, port, True)
        except OSError as e:
            raise NetError(RESOLVE, None, "cannot resolve '%s': %s" % (host, e))

    def local_address(self):
        return None if self.local is None else _port.addr(self.local)

    def option(self, name, value):
        """_port.sockopt by neutral name; False: not available on this port."""
        try:
            return _port.sockopt(self.s, name, value)
        except OSError as e:
            raise NetError(CONNECT, _code(e), "socket option %s: %s" % (name, e))

    def send_now(self, data, sa):
        """One datagram to sa if the socket takes it now -> bytes sent, or None (it
        would block: await sendto). NetError(CONNECT, errno) on failure."""
        if self.closed:
            raise NetError(CONNECT, 9, "socket closed")
        try:
            return _port.sendto(self.s, data, sa)
        except OSError as e:
            raise NetError(CONNECT, _code(e), "send failed: %s" % e)

    async def sendto(self, data, sa):
        """Send one datagram to sa (from sockaddr()[1]) -> bytes sent."""
        s = self.s
        while True:
            if self.closed:
                raise NetError(CONNECT, 9, "socket closed")
            try:
                n = _port.sendto(s, data, sa)
            except OSError as e:
                raise NetError(CONNECT, _code(e), "send failed: %s" % e)
            if n is not None:
                return n
            await _port.wait_writable(s)

    async def recvfrom(self, n):
        """-> (bytes, peer sockaddr) of the next datagram (at most n bytes), or None once
        close() was called."""
        s = self.s
        while True:
            if self.closed:
                return None
            try:
                r = _port.recvfrom(s, n)
            except OSError as e:
                raise NetError(CONNECT, _code(e), "receive failed: %s" % e)
            if r is not None:
                return r
            await _port.wait_readable(s)

    def close(self):
        if not self.closed:
            self.closed = True
            if self.s is not None:
                _port.close(self.s)
