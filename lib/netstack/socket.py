# @ohos.net.socket: the constructors and the enums. Each class loads with its first
# constructor (TCPSocket's shared code: _sock; servers, UDP, multicast, TLS, local
# sockets: _sock_*), so a program pays RAM only for the sockets it makes. Choices and
# per-port gaps: docs/socket.md.


class ProxyTypes:
    NONE = 0
    SOCKS5 = 1


class Protocol:
    TLSv12 = "TLSv1.2"
    TLSv13 = "TLSv1.3"


def constructTCPSocketInstance():
    from . import _sock
    return _sock.TCPSocket()


def constructTCPSocketServerInstance():
    from . import _sock_srv
    return _sock_srv.TCPSocketServer()


def constructUDPSocketInstance():
    from . import _sock_udp
    return _sock_udp.UDPSocket()


def constructMulticastSocketInstance():
    from . import _sock_mcast
    return _sock_mcast.MulticastSocket()


def constructTLSSocketInstance(tcpSocket=None):
    # loaded with collections meanwhile (_err.load): TLS comes last in many programs, into
    # a heap the other sockets' code has cut up (test_socket_mix at 110k from .mpy)
    from ._err import load
    load("_sock_tls")
    from . import _sock_tls
    return _sock_tls.new_socket(tcpSocket)


def constructTLSSocketServerInstance():
    from . import _sock_tlss
    return _sock_tlss.TLSSocketServer()


def constructLocalSocketInstance():
    from . import _sock_local
    return _sock_local.LocalSocket()


def constructLocalSocketServerInstance():
    from . import _sock_local_srv
    return _sock_local_srv.LocalSocketServer()
