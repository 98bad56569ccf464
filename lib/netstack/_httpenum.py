# The enum objects of @ohos.net.http, loaded on first use (see http.__getattr__); ResponseCode,
# the big one (~2.5 KB of heap with its names), is in _httpcodes.


class RequestMethod:
    OPTIONS = "OPTIONS"
    GET = "GET"
    HEAD = "HEAD"
    POST = "POST"
    PUT = "PUT"
    DELETE = "DELETE"
    TRACE = "TRACE"
    CONNECT = "CONNECT"
    PATCH = "PATCH"


class HttpDataType:
    STRING = 0
    OBJECT = 1
    ARRAY_BUFFER = 2


class HttpProtocol:
    HTTP1_1 = 0
    HTTP2 = 1
    HTTP3 = 2


class CertType:
    PEM = "PEM"
    DER = "DER"
    P12 = "P12"


class AddressFamily:
    DEFAULT = "CURL_IPRESOLVE_WHATEVER"
    ONLY_V4 = "CURL_IPRESOLVE_V4"
    ONLY_V6 = "CURL_IPRESOLVE_V6"
