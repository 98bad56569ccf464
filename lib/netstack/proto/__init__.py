# Sans-I/O protocols: fed bytes, they never touch a socket, asyncio or TLS, and know no
# OpenHarmony codes. They fail with ProtoError: a kind, a message and, where it applies,
# the HTTP status a server should answer with (as h11's error_status_hint); each facade
# picks its own code from the kind (http: _client.http_error).
try:
    from micropython import const
except ImportError:
    const = lambda x: x

BAD = const(1)      # malformed message (head, line, field, status, request line): 400
TOO_BIG = const(2)  # a head, a line or a count over its bound: 431
FRAMING = const(3)  # bad transfer coding or chunk framing: 400 (501: coding not handled)
CUT = const(4)      # the peer closed inside a body
USAGE = const(5)    # the caller's input is wrong (a header name or value, a status, a type)
URL = const(6)      # malformed URL
SCHEME = const(7)   # URL scheme not handled


class ProtoError(Exception):
    """kind (above), message, status: the HTTP status a server should answer with, or None.
    proto/ raises with a message number into proto/msgs.T (and its % argument): the texts
    are loaded only when an error happens."""

    def __init__(self, kind, message, status=None, arg=None):
        if type(message) is int:
            from .msgs import T
            message = T[message] if arg is None else T[message] % arg
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status  # HTTP status hint for a server's answer, or None
