# LocalSocketServer and LocalSocketConnection of @ohos.net.socket (_sock_local), loaded by
# the first constructLocalSocketServerInstance: the TCP server and its connections with
# path addresses (a program with only LocalSocket clients loads no server code).
from ._sock import LISTENING, error_of, op
from ._sock_srv import TCPSocketServer, TCPSocketConnection
from ._sock_local import _Local, supported, _path
from .transport import tcp as _tcp

_EINVAL = const(22)


class LocalSocketConnection(_Local, TCPSocketConnection):
    pass


class LocalSocketServer(_Local, TCPSocketServer):
    CONN = LocalSocketConnection

    def __init__(self):
        supported()
        self._conns = []

    def listen(self, address, callback=None):
        return op(self, self._listen(_path(address)), callback)

    async def _listen(self, p):
        self._check_state(LISTENING, _EINVAL, "listening")
        try:
            s, sa = _tcp.unix_socket(p)
        except Exception as e:
            raise error_of(e)
        self._path = p
        self._serve(s, sa)

    def _prepare(self, c, conn):
        c._path = self._path
        return True
