# RecvBuf: the one receive buffer of a connection. Bytes are read straight into its free
# tail (space() + wrote()); parsers look at buf[start:end] and consume() what they used.
# Nothing here allocates after __init__ except the memoryview slice space() returns.
from . import ProtoError, USAGE, TOO_BIG


class RecvBuf:
    """One preallocated bytearray; the unread bytes are buf[start:end].

    scan is a search cursor for the line parsers in http1: how many unread bytes (counted
    from start) are already known not to hold what they look for. It is relative to start,
    so compaction keeps it valid, and consume() resets it to 0.
    """

    def __init__(self, size=4096):
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

    def grow(self, size):
        """A bigger buffer (size bytes) holding the unread bytes at its start."""
        b = bytearray(size)
        n = self.end - self.start
        b[0:n] = self.mv[self.start:self.end]
        self.buf = b
        self.mv = memoryview(b)
        self.start = 0
        self.end = n

    def wrote(self, n):
        e = self.end + n
        if n < 0 or e > len(self.buf):
            raise ProtoError(USAGE, 37, None, n)  # RecvBuf.wrote(%d) past the free space
        self.end = e

    def consume(self, n):
        s = self.start + n
        if s >= self.end:
            self.start = self.end = 0
        else:
            self.start = s
        self.scan = 0

    def feed(self, data):
        """Copy bytes in (tests and small uses; real reads go through space())."""
        n = len(data)
        size = len(self.buf)
        if n > size - self.end + self.start:
            raise ProtoError(TOO_BIG, 38, 431, size)  # receive buffer full (%d bytes)
        if self.end + n > size:
            self.space()
        e = self.end
        self.mv[e:e + n] = data
        self.end = e + n
