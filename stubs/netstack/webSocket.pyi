# Type stubs for editors (not deployed): @ohos.net.webSocket (client).
from typing import Any, Awaitable, Callable, Literal, Mapping, Optional, TypedDict, Union, overload

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


def createWebSocket() -> WebSocket: ...
