# Listening: bind + listen, then accept() -> Conn, the same connection type dial() gives.
# Loaded only by servers (socket's TCPSocketServer/TLSSocketServer, webSocket's server).
from .. import _port, _err as _log  # the log lines live in _err
from . import Conn, NetError

_RESOLVE = const(0)  # transport's stages
_CONNECT = const(1)
_OPEN = const(4)


class Listener:
    """A listening TCP socket. Listener(host, port, backlog=5): bound and listening at once
    (NetError(RESOLVE) for a bad address, NetError(CONNECT, errno) if bind/listen fail:
    EADDRINUSE ...). local: the bound sockaddr (port 0 stays 0 where the port cannot tell:
    MicroPython has no getsockname). accept() waits for the next connection; close() stops
    a task waiting in accept() (it raises NetError(CONNECT, EBADF))."""

    def __init__(self, host, port, backlog=5, sock=None, local=None):
        # sock: a stream socket the caller made and bound to `local` (options set, port
        # chosen: see transport.tcp.bind; or an AF_UNIX path); it starts listening here.
        if sock is None:
            try:
                family, local = _port.resolve(host, port)
            except OSError as e:
                raise NetError(_RESOLVE, None, "cannot resolve '%s': %s" % (host, e))
        try:
            if sock is None:
                sock = _port.listen_socket(family, local, backlog)
            else:
                try:
                    _port.listen(sock, backlog)
                except OSError:
                    _port.close(sock)
                    raise
        except OSError as e:
            raise NetError(_CONNECT, e.errno, "cannot listen on %s:%d: %s" % (host, port, e))
        self.s = sock
        self.local = _port.local_addr(sock) or local
        self.closed = False
        if _log.on:
            _log.log("listen", _port.addr(self.local))

    async def accept(self):
        """-> Conn of the next client (stage OPEN for plain TCP; after transport.start
        (server_side True) the handshake runs on its first read or write)."""
        s = self.s
        while True:
            if self.closed:
                raise NetError(_CONNECT, 9, "listener closed")  # EBADF
            try:
                r = _port.accept(s)
            except OSError as e:
                raise NetError(_CONNECT, e.errno, "accept failed: %s" % e)
            if r is not None:
                c = Conn(r[0], r[1], self.local)
                c.stage = _OPEN  # nothing more to connect
                if _log.on:
                    _log.log("accept", _port.addr(r[1]))
                return c
            await _port.wait_readable(s)

    close = Conn.close  # (closed flag, _port.close: a waiting accept() wakes)
