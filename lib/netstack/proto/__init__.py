# Sans-I/O protocols: fed bytes, they never touch a socket, asyncio or TLS, and know no
# OpenHarmony codes. They fail with ProtoError: a kind, a message and, where it applies,
# the HTTP status a server should answer with (as h11's error_status_hint); each facade
# picks its own code from the kind (http: _clientx.http_error).

# ProtoError kinds. Underscored consts, compiled in: no global names to keep in RAM; each
# proto module repeats the ones it raises as its own consts (keep them in step).
_BAD = const(1)      # malformed message (head, line, field, status, request line): 400
_TOO_BIG = const(2)  # a head, a line or a count over its bound: 431
_FRAMING = const(3)  # bad transfer coding or chunk framing: 400 (501: coding not handled)
_CUT = const(4)      # the peer closed inside a body
_USAGE = const(5)    # the caller's input is wrong (a header name or value, a status, a type)
_URL = const(6)      # malformed URL
_SCHEME = const(7)   # URL scheme not handled


class ProtoError(Exception):
    """kind (above), message, status: the HTTP status a server should answer with, or None.
    proto/ raises with a message number into proto/msgs.T (and its % argument): the texts
    are loaded only when an error happens."""

    def __init__(self, kind, message, status=None, arg=None):
        if type(message) is int:
            from .msgs import T
            message = T.split("\n")[message]
            if arg is not None:
                message %= arg
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status  # HTTP status hint for a server's answer, or None


# RecvBuf: the one receive buffer of a connection (here, not in a module of its own: a
# module costs heap for its object, dict and names even from ROMFS). Bytes are read straight
# into its free tail (space() + wrote()); parsers look at buf[start:end] and consume() what
# they used. Nothing here allocates after __init__ except the memoryview slice space() returns.
class RecvBuf:
    """One preallocated bytearray; the unread bytes are buf[start:end].

    scan is a search cursor for the line parsers in http1: how many unread bytes (counted
    from start) are already known not to hold what they look for. It is relative to start,
    so compaction keeps it valid, and consume() resets it to 0.
    """

    def __init__(self, size):  # (no default: a default costs each function heap)
        self.buf = bytearray(size)
        self.mv = memoryview(self.buf)
        self.start = 0
        self.end = 0
        self.scan = 0

    def __len__(self):
        return self.end - self.start

    def space(self):
        """Memoryview of the free tail (zero length when full); compacts first when
        unread bytes do not start at 0, so the tail is then all the free room."""
        s = self.start
        if s:
            e = self.end
            n = e - s
            self.mv[0:n] = self.mv[s:e]  # overlapping copy is a memmove on both runtimes
            self.start = 0
            self.end = n
        return self.mv[self.end:]

    def wrote(self, n):
        e = self.end + n
        if n < 0 or e > len(self.buf):
            raise ProtoError(_USAGE, 37, None, n)  # RecvBuf.wrote(%d) past the free space
        self.end = e

    def consume(self, n):
        s = self.start + n
        if s >= self.end:
            self.start = self.end = 0
        else:
            self.start = s
        self.scan = 0

    def grow(self, size):
        """A new buffer of size bytes holding the unread bytes at its start: a head that
        outgrew its buffer (the HTTP engine's and both webSocket handshakes')."""
        b = bytearray(size)
        n = self.end - self.start
        b[0:n] = self.mv[self.start:self.end]
        self.buf = b
        self.mv = memoryview(b)
        self.start = 0
        self.end = n

    def feed(self, data):
        """Copy bytes in (tests and small uses; real reads go through space())."""
        n = len(data)
        size = len(self.buf)
        if n > size - self.end + self.start:
            raise ProtoError(_TOO_BIG, 38, 431, size)  # receive buffer full (%d bytes)
        if self.end + n > size:
            self.space()
        e = self.end
        self.mv[e:e + n] = data
        self.end = e + n
