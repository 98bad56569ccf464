# Type stubs for editors (not deployed): @ohos.net.webSocket (client).
from typing import (Any, Awaitable, Callable, List, Literal, Mapping, Optional, TypedDict, Union,
                    overload)

from . import BusinessError

Callback = Callable[[Optional[BusinessError], Any], None]


class WebSocketRequestOptions(TypedDict, total=False):
    header: Mapping[str, Any]
    caPath: str
    clientCert: Mapping[str, Any]
    proxy: Any
    protocol: str
    skipServerCertVerification: bool
    pingInterval: int
    pongTimeout: int


class CloseOptions(TypedDict, total=False):
    code: int
    reason: str


EventName = Literal["open", "message", "close", "error", "dataEnd", "headerReceive"]


class WebSocket:
    @overload
    def connect(self, url: str, options: Optional[WebSocketRequestOptions] = ...) -> Awaitable[bool]: ...
    @overload
    def connect(self, url: str, options: Optional[WebSocketRequestOptions], callback: Callback) -> None: ...
    @overload
    def connect(self, url: str, callback: Callback) -> None: ...
    @overload
    def send(self, data: Union[str, bytes, bytearray]) -> Awaitable[bool]: ...
    @overload
    def send(self, data: Union[str, bytes, bytearray], callback: Callback) -> None: ...
    @overload
    def close(self, options: Optional[CloseOptions] = ...) -> Awaitable[bool]: ...
    @overload
    def close(self, options: Optional[CloseOptions], callback: Callback) -> None: ...
    @overload
    def close(self, callback: Callback) -> None: ...
    def on(self, type: EventName, callback: Callable[..., Any]) -> None: ...
    def once(self, type: EventName, callback: Callable[..., Any]) -> None: ...
    def off(self, type: EventName, callback: Optional[Callable[..., Any]] = ...) -> None: ...


class WebSocketConnection(TypedDict):
    clientIP: str
    clientPort: int


class ServerCert(TypedDict):
    certPath: str
    keyPath: str


class _AntiAbuse(TypedDict, total=False):
    count: int
    windowMs: int
    banMs: int


class _ServerConfigBase(TypedDict):
    serverPort: int


class WebSocketServerConfig(_ServerConfigBase, total=False):
    serverIP: str
    serverCert: ServerCert
    protocol: str
    maxConcurrentClientsNumber: int
    maxConnectionsForOneClient: int
    antiAbuse: Union[bool, _AntiAbuse]     # an extension: OpenHarmony's rule is always on


class WebSocketMessage(TypedDict):
    clientConnection: WebSocketConnection
    data: Union[str, bytes]


ServerEventName = Literal["connect", "messageReceive", "close", "error"]


# Methods are OpenHarmony's Promise-only ones; a trailing callback(err, data) works as well.
class WebSocketServer:
    def start(self, config: WebSocketServerConfig, callback: Optional[Callback] = ...) -> Awaitable[bool]: ...
    def stop(self, callback: Optional[Callback] = ...) -> Awaitable[bool]: ...
    def send(self, data: Union[str, bytes, bytearray], connection: WebSocketConnection,
             callback: Optional[Callback] = ...) -> Awaitable[bool]: ...
    def close(self, connection: WebSocketConnection, options: Optional[CloseOptions] = ...,
              callback: Optional[Callback] = ...) -> Awaitable[bool]: ...
    def listAllConnections(self) -> List[WebSocketConnection]: ...
    def on(self, type: ServerEventName, callback: Callable[..., Any]) -> None: ...
    def once(self, type: ServerEventName, callback: Callable[..., Any]) -> None: ...
    def off(self, type: ServerEventName, callback: Optional[Callable[..., Any]] = ...) -> None: ...


def createWebSocket() -> WebSocket: ...
def createWebSocketServer() -> WebSocketServer: ...
