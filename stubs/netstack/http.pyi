# Type stubs for editors (not deployed: the board runs lib/netstack). Put stubs/ on your
# editor's stub path next to the MicroPython stubs (micropython-*-stubs from PyPI).
from typing import Any, Awaitable, Callable, Final, Literal, Mapping, Optional, TypedDict, Union, overload

from . import BusinessError

Callback = Callable[[Optional[BusinessError], Any], None]
Body = Union[str, bytes, bytearray, Mapping[str, Any], list]


class HttpProxy(TypedDict, total=False):
    host: str
    port: int
    username: str
    password: str
    exclusionList: list


class MultiFormData(TypedDict, total=False):
    name: str
    contentType: str
    remoteFileName: str
    data: Union[str, bytes]
    filePath: str


class HttpRequestOptions(TypedDict, total=False):
    method: str
    extraData: Body
    expectDataType: int
    usingCache: bool
    priority: int
    header: Mapping[str, Any]
    readTimeout: int
    connectTimeout: int
    usingProtocol: int
    usingProxy: Union[bool, HttpProxy]
    caPath: str
    caData: Union[str, bytes]
    resumeFrom: int
    resumeTo: int
    clientCert: Mapping[str, Any]
    maxLimit: int
    multiFormDataList: list
    certificatePinning: Any
    remoteValidation: str
    tlsOptions: Any
    serverAuthentication: Any
    addressFamily: str
    maxRedirects: int


class PerformanceTiming:
    dnsTiming: int
    tcpTiming: int
    tlsTiming: int
    firstSendTiming: int
    firstReceiveTiming: int
    totalFinishTiming: int
    redirectTiming: int
    responseHeaderTiming: int
    responseBodyTiming: int
    totalTiming: int


class HttpResponse:
    result: Union[str, bytes, dict, list, None]
    resultType: int
    responseCode: int
    header: dict
    cookies: str
    performanceTiming: Optional[PerformanceTiming]


EventName = Literal["headerReceive", "headersReceive", "dataReceive", "dataEnd",
                    "dataReceiveProgress", "dataSendProgress"]


class HttpRequest:
    @overload
    def request(self, url: str, options: Optional[HttpRequestOptions] = ...) -> Awaitable[HttpResponse]: ...
    @overload
    def request(self, url: str, options: Optional[HttpRequestOptions], callback: Callback) -> None: ...
    @overload
    def request(self, url: str, callback: Callback) -> None: ...
    @overload
    def requestInStream(self, url: str, options: Optional[HttpRequestOptions] = ...) -> Awaitable[int]: ...
    @overload
    def requestInStream(self, url: str, options: Optional[HttpRequestOptions], callback: Callback) -> None: ...
    @overload
    def requestInStream(self, url: str, callback: Callback) -> None: ...
    def destroy(self) -> None: ...
    def enableAutoCookie(self, enable: bool) -> None: ...
    def on(self, type: EventName, callback: Callable[..., Any]) -> None: ...
    def once(self, type: EventName, callback: Callable[..., Any]) -> None: ...
    def off(self, type: EventName, callback: Optional[Callable[..., Any]] = ...) -> None: ...


class HttpResponseCache:
    def flush(self, callback: Optional[Callback] = ...) -> Optional[Awaitable[None]]: ...
    def delete(self, callback: Optional[Callback] = ...) -> Optional[Awaitable[None]]: ...


def createHttp() -> HttpRequest: ...
def createHttpResponseCache(cacheSize: int = ...) -> HttpResponseCache: ...


class RequestMethod:
    OPTIONS: Final[str]
    GET: Final[str]
    HEAD: Final[str]
    POST: Final[str]
    PUT: Final[str]
    DELETE: Final[str]
    TRACE: Final[str]
    CONNECT: Final[str]
    PATCH: Final[str]


class ResponseCode:
    OK: Final[int]
    CREATED: Final[int]
    ACCEPTED: Final[int]
    NOT_AUTHORITATIVE: Final[int]
    NO_CONTENT: Final[int]
    RESET: Final[int]
    PARTIAL: Final[int]
    MULT_CHOICE: Final[int]
    MOVED_PERM: Final[int]
    MOVED_TEMP: Final[int]
    SEE_OTHER: Final[int]
    NOT_MODIFIED: Final[int]
    USE_PROXY: Final[int]
    BAD_REQUEST: Final[int]
    UNAUTHORIZED: Final[int]
    PAYMENT_REQUIRED: Final[int]
    FORBIDDEN: Final[int]
    NOT_FOUND: Final[int]
    BAD_METHOD: Final[int]
    NOT_ACCEPTABLE: Final[int]
    PROXY_AUTH: Final[int]
    CLIENT_TIMEOUT: Final[int]
    CONFLICT: Final[int]
    GONE: Final[int]
    LENGTH_REQUIRED: Final[int]
    PRECON_FAILED: Final[int]
    ENTITY_TOO_LARGE: Final[int]
    REQ_TOO_LONG: Final[int]
    UNSUPPORTED_TYPE: Final[int]
    RANGE_NOT_SATISFIABLE: Final[int]
    INTERNAL_ERROR: Final[int]
    NOT_IMPLEMENTED: Final[int]
    BAD_GATEWAY: Final[int]
    UNAVAILABLE: Final[int]
    GATEWAY_TIMEOUT: Final[int]
    VERSION: Final[int]


class HttpDataType:
    STRING: Final[int]
    OBJECT: Final[int]
    ARRAY_BUFFER: Final[int]


class HttpProtocol:
    HTTP1_1: Final[int]
    HTTP2: Final[int]
    HTTP3: Final[int]


class CertType:
    PEM: Final[str]
    DER: Final[str]
    P12: Final[str]


class AddressFamily:
    DEFAULT: Final[str]
    ONLY_V4: Final[str]
    ONLY_V6: Final[str]
