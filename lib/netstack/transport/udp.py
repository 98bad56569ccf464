# Datagram sockets (socket's UDPSocket and MulticastSocket). Loaded only by them.
from .. import _port
from . import Conn, NetError
from .tcp import bind as _bind  # (netstack.socket loads transport.tcp anyway)

_CONNECT = const(1)  # transport's stage


class Datagram:
    """A non-blocking UDP socket of the given family, unbound until bind() (its options
    set first) or the first send. NetError(CONNECT, errno) on failure. One task may wait
    in recvfrom() and one in sendto() at a time; close() wakes them (recvfrom then returns
    None, sendto raises NetError(CONNECT, EBADF))."""

    def __init__(self, family=2):  # (AF_INET is 2 everywhere)
        self.closed = False
        self.local = None
        self.s = _port.udp_socket(family)

    def bind(self, host, port):
        """Bind to host:port (a numeric address) -> its sockaddr; port 0: see
        transport.tcp.bind."""
        try:
            self.local = _bind(self.s, host, port, True)
        except OSError as e:
            raise NetError(_CONNECT, e.errno, "cannot bind %s:%d: %s" % (host, port, e))
        return self.local

    def send_now(self, data, sa):
        """One datagram to sa (a sockaddr) if the socket takes it now -> bytes sent, or
        None (it would block: await sendto)."""
        if self.closed:
            raise NetError(_CONNECT, 9, "socket closed")
        try:
            return _port.sendto(self.s, data, sa)
        except OSError as e:
            raise NetError(_CONNECT, e.errno, "send failed: %s" % e)

    async def sendto(self, data, sa):
        """Send one datagram to sa, waiting until the socket takes it -> bytes sent."""
        while True:
            n = self.send_now(data, sa)
            if n is not None:
                return n
            await _port.wait_writable(self.s)

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
                raise NetError(_CONNECT, e.errno, "receive failed: %s" % e)
            if r is not None:
                return r
            await _port.wait_readable(s)

    close = Conn.close  # (closed flag, _port.close: a waiting recvfrom() wakes)
