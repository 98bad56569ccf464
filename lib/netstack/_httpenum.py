# The enum objects of @ohos.net.http, loaded on first use (see http.__getattr__).


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


class ResponseCode:
    OK = 200
    CREATED = 201
    ACCEPTED = 202
    NOT_AUTHORITATIVE = 203
    NO_CONTENT = 204
    RESET = 205
    PARTIAL = 206
    MULT_CHOICE = 300
    MOVED_PERM = 301
    MOVED_TEMP = 302
    SEE_OTHER = 303
    NOT_MODIFIED = 304
    USE_PROXY = 305
    BAD_REQUEST = 400
    UNAUTHORIZED = 401
    PAYMENT_REQUIRED = 402
    FORBIDDEN = 403
    NOT_FOUND = 404
    BAD_METHOD = 405
    NOT_ACCEPTABLE = 406
    PROXY_AUTH = 407
    CLIENT_TIMEOUT = 408
    CONFLICT = 409
    GONE = 410
    LENGTH_REQUIRED = 411
    PRECON_FAILED = 412
    ENTITY_TOO_LARGE = 413
    REQ_TOO_LONG = 414
    UNSUPPORTED_TYPE = 415
    RANGE_NOT_SATISFIABLE = 416
    INTERNAL_ERROR = 500
    NOT_IMPLEMENTED = 501
    BAD_GATEWAY = 502
    UNAVAILABLE = 503
    GATEWAY_TIMEOUT = 504
    VERSION = 505


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
