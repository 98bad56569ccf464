# Type stubs for editors (not deployed): @ohos.net.socket. Names complete (make test checks
# them against the classes, inherited members included). Every async method takes an
# optional trailing callback(err, data) and then returns None; without it, it returns an
# awaitable of `data` (docs/core.md). Records are dicts with OpenHarmony's field names.
from typing import Any, Awaitable, Callable, Final, List, Literal, Optional, TypedDict, Union

from . import BusinessError

Callback = Callable[[Optional[BusinessError], Any], None]
Data = Union[str, bytes, bytearray]


class ProxyTypes:
    NONE: Final[int]
    SOCKS5: Final[int]


class Protocol:
    TLSv12: Final[str]
    TLSv13: Final[str]


class _NetAddressBase(TypedDict):
    address: str


class NetAddress(_NetAddressBase, total=False):
    family: int     # 1 IPv4 (default), 2 IPv6
    port: int       # 0-65535, default 0


class ProxyOptions(TypedDict, total=False):
    type: int       # ProxyTypes
    address: NetAddress
    username: str
    password: str


class SocketStateBase(TypedDict):
    isBound: bool
    isClose: bool
    isConnected: bool


class SocketRemoteInfo(TypedDict):
    address: str
    family: Literal["IPv4", "IPv6"]
    port: int
    size: int


class SocketMessageInfo(TypedDict):
    message: bytes
    remoteInfo: SocketRemoteInfo


class ExtraOptionsBase(TypedDict, total=False):
    receiveBufferSize: int
    sendBufferSize: int
    reuseAddress: bool
    socketTimeout: int


class UDPExtraOptions(ExtraOptionsBase, total=False):
    broadcast: bool


class TCPExtraOptions(ExtraOptionsBase, total=False):
    keepAlive: bool
    OOBInline: bool
    TCPNoDelay: bool
    socketLinger: Any   # {on: bool, linger: int}


class TCPConnectOptions(TypedDict, total=False):
    address: NetAddress
    timeout: int
    proxy: ProxyOptions


class TCPSendOptions(TypedDict, total=False):
    data: Data
    encoding: str


class UDPSendOptions(TypedDict, total=False):
    data: Data
    address: NetAddress
    proxy: ProxyOptions


class TLSSecureOptions(TypedDict, total=False):
    ca: Union[str, List[str]]
    cert: Union[str, List[str]]
    key: str
    password: str
    protocols: Union[str, List[str]]
    useRemoteCipherPrefer: bool
    signatureAlgorithms: str
    cipherSuite: str
    isBidirectionalAuthentication: bool


class TLSConnectOptions(TypedDict, total=False):
    address: NetAddress
    secureOptions: TLSSecureOptions
    ALPNProtocols: List[str]
    skipRemoteValidation: bool
    proxy: ProxyOptions
    timeout: int


class LocalAddress(TypedDict):
    address: str    # a path


class LocalConnectOptions(TypedDict, total=False):
    address: LocalAddress
    timeout: int


# The class tree mirrors the library's (_sock.Base, Stream, ...): what a class inherits
# here, it inherits there.
class _Events:
    def on(self, type: str, callback: Callable[..., Any]) -> None: ...
    def once(self, type: str, callback: Callable[..., Any]) -> None: ...
    def off(self, type: str, callback: Optional[Callable[..., Any]] = ...) -> None: ...


class _Base(_Events):
    def getState(self, callback: Optional[Callback] = ...) -> Awaitable[SocketStateBase]: ...
    def getLocalAddress(self, callback: Optional[Callback] = ...) -> Awaitable[NetAddress]: ...
    def getSocketFd(self, callback: Optional[Callback] = ...) -> Awaitable[int]: ...
    def setExtraOptions(self, options: Any, callback: Optional[Callback] = ...) -> Awaitable[None]: ...
    def close(self, callback: Optional[Callback] = ...) -> Awaitable[None]: ...


class _Stream(_Base):
    def send(self, options: Union[TCPSendOptions, Any], callback: Optional[Callback] = ...) -> Awaitable[None]: ...
    def getRemoteAddress(self, callback: Optional[Callback] = ...) -> Awaitable[NetAddress]: ...


class _TLSGetters:
    def getRemoteCertificate(self, callback: Optional[Callback] = ...) -> Awaitable[bytes]: ...
    def getCipherSuite(self, callback: Optional[Callback] = ...) -> Awaitable[List[str]]: ...
    def getProtocol(self, callback: Optional[Callback] = ...) -> Awaitable[str]: ...
    def getSignatureAlgorithms(self, callback: Optional[Callback] = ...) -> Awaitable[List[str]]: ...


class _Local:
    def getExtraOptions(self, callback: Optional[Callback] = ...) -> Awaitable[ExtraOptionsBase]: ...


class TCPSocket(_Stream):
    def bind(self, address: NetAddress, callback: Optional[Callback] = ...) -> Awaitable[None]: ...
    def connect(self, options: TCPConnectOptions, callback: Optional[Callback] = ...) -> Awaitable[None]: ...


class TCPSocketConnection(_Stream):
    clientId: int


class TCPSocketServer(_Base):
    def listen(self, address: NetAddress, callback: Optional[Callback] = ...) -> Awaitable[None]: ...


class UDPSocket(_Base):
    def bind(self, address: NetAddress, callback: Optional[Callback] = ...) -> Awaitable[None]: ...
    def send(self, options: UDPSendOptions, callback: Optional[Callback] = ...) -> Awaitable[None]: ...


class MulticastSocket(UDPSocket):
    def addMembership(self, multicastAddress: NetAddress, callback: Optional[Callback] = ...) -> Awaitable[None]: ...
    def dropMembership(self, multicastAddress: NetAddress, callback: Optional[Callback] = ...) -> Awaitable[None]: ...
    def setMulticastTTL(self, ttl: int, callback: Optional[Callback] = ...) -> Awaitable[None]: ...
    def getMulticastTTL(self, callback: Optional[Callback] = ...) -> Awaitable[int]: ...
    def setLoopbackMode(self, flag: bool, callback: Optional[Callback] = ...) -> Awaitable[None]: ...
    def getLoopbackMode(self, callback: Optional[Callback] = ...) -> Awaitable[bool]: ...
    def setReuseAddress(self, flag: bool) -> None: ...


class TLSSocket(_TLSGetters, TCPSocket):
    def connect(self, options: TLSConnectOptions, callback: Optional[Callback] = ...) -> Awaitable[None]: ...  # type: ignore[override]
    def getCertificate(self, callback: Optional[Callback] = ...) -> Awaitable[bytes]: ...


class TLSSocketConnection(_TLSGetters, TCPSocketConnection): ...


class TLSSocketServer(TCPSocketServer):
    def listen(self, options: TLSConnectOptions, callback: Optional[Callback] = ...) -> Awaitable[None]: ...  # type: ignore[override]
    def getCertificate(self, callback: Optional[Callback] = ...) -> Awaitable[bytes]: ...
    def getProtocol(self, callback: Optional[Callback] = ...) -> Awaitable[str]: ...


class LocalSocket(_Local, _Stream):
    def bind(self, address: LocalAddress, callback: Optional[Callback] = ...) -> Awaitable[None]: ...
    def connect(self, options: LocalConnectOptions, callback: Optional[Callback] = ...) -> Awaitable[None]: ...


class LocalSocketConnection(_Local, _Stream):
    clientId: int


class LocalSocketServer(_Local, _Base):
    def listen(self, address: LocalAddress, callback: Optional[Callback] = ...) -> Awaitable[None]: ...


def constructTCPSocketInstance() -> TCPSocket: ...
def constructTCPSocketServerInstance() -> TCPSocketServer: ...
def constructUDPSocketInstance() -> UDPSocket: ...
def constructMulticastSocketInstance() -> MulticastSocket: ...
def constructTLSSocketInstance(tcpSocket: Optional[TCPSocket] = ...) -> TLSSocket: ...
def constructTLSSocketServerInstance() -> TLSSocketServer: ...
def constructLocalSocketInstance() -> LocalSocket: ...
def constructLocalSocketServerInstance() -> LocalSocketServer: ...
