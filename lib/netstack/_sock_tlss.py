# TLSSocketServer and TLSSocketConnection of @ohos.net.socket, loaded by the first
# constructTLSSocketServerInstance: the TCP server with a TLS context made at listen and
# transport.start(server_side) on each accepted connection.
from ._err import param
from ._sock_srv import TCPSocketServer, TCPSocketConnection
from ._sock_tls import TLSGetters, Secure, tls_error, getter, opt_sock
from .transport import start


class TLSSocketConnection(TLSGetters, TCPSocketConnection):
    def _sock(self):
        return opt_sock(self._c, TCPSocketConnection._sock(self))


class TLSSocketServer(TCPSocketServer):
    CONN = TLSSocketConnection
    _sec = None
    _ctx = None
    _new = None

    def _listen_addr(self, o):
        if not isinstance(o, dict):
            raise param("listen(options: TLSConnectOptions)")
        self._new = Secure(o.get("secureOptions"), True)  # taken by _ready
        return o.get("address")

    def _ready(self):
        sec = self._new
        sec.ok()
        self._sec = sec
        self._ctx = sec.context(True, sec.two_way, self._hook_any)

    def _shut(self):
        # what listening held: the context (~3 KB), the certificate and key (its
        # connections keep what they use), also when close() follows a listen that failed
        self._ctx = self._sec = self._new = None
        TCPSocketServer._shut(self)

    def _hook_any(self, cert, depth):
        return 0  # client certificates: each connection's own hook is not reachable here

    def _prepare(self, c, conn):
        TCPSocketServer._prepare(self, c, conn)
        c._sec = self._sec
        try:
            start(conn, self._ctx, None, True)
        except Exception as e:
            conn.close()
            self._emit("error", tls_error(e))
            return False
        return True

    getCertificate = getter("server_cert")
    getProtocol = getter("server_proto")
