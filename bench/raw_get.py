# The raw-socket baseline for bench/: the simplest fast HTTP/1.1 GET a MicroPython user
# would write by hand. Blocking socket, one request write, the head read with recv
# until CRLF CRLF, Content-Length or chunked framing, the body read with readinto into the
# caller's preallocated buffer, close. No redirects, no timeouts, no header dict, no
# cookies, no decoding: everything netstack.http adds on top is missing here on purpose.
#
#   get(host, port, path, buf, ctx=None) -> (status, nbytes)     new connection each call
#   Client(host, port, ctx=None).get(path, buf) -> (status, nbytes)  one keep-alive socket
#
# The body goes into buf (a bytearray). A body longer than buf is streamed through it:
# each time buf is full, reading starts again at buf[0], so the caller sees every byte
# pass by (a consumer would process each bufferful) and gets the total count back; the
# body is in buf[:nbytes] only when nbytes <= len(buf). ctx is a tls.SSLContext for HTTPS.
import socket

_HEAD = 1024  # read-ahead buffer for the head and chunk-size lines
_MAX_CHUNKS = 1 << 20  # loops are bounded: more chunks than this is an error


class _Reader:
    # A small read-ahead buffer in front of the socket: the head and chunk-size lines are
    # parsed out of it, and body bytes that arrived with them are copied out of it; after
    # that, body reads go straight from the socket into the caller's buffer.
    def __init__(self, s):
        self.s = s
        self.b = bytearray(_HEAD)
        self.mv = memoryview(self.b)
        self.a = 0  # unread bytes are b[a:e]
        self.e = 0

    def _fill(self):
        a, e = self.a, self.e
        if a:
            if a < e:
                self.b[: e - a] = self.b[a:e]
            self.e = e = e - a
            self.a = 0
        if e == _HEAD:
            raise ValueError("head too long")
        # recv, not readinto: on a blocking MicroPython socket readinto(buf) waits until
        # buf is full (read-exactly), recv returns what has arrived
        data = self.s.recv(_HEAD - e)
        n = len(data)
        if not n:
            raise OSError("closed")
        self.b[e : e + n] = data
        self.e = e + n

    def until(self, sep):
        # -> index in b where sep starts (in b[a:e]), filling as needed; every _fill adds
        # at least one byte or raises, so _HEAD + 1 rounds always end it
        for _ in range(_HEAD + 1):
            i = self.b.find(sep, self.a, self.e)
            if i >= 0:
                return i
            self._fill()
        raise ValueError("head too long")

    def readinto(self, mv):
        a, e = self.a, self.e
        if a < e:
            n = min(len(mv), e - a)
            mv[:n] = self.mv[a : a + n]
            self.a = a + n
            return n
        # callers ask for exactly what the framing says is still to come, so the
        # read-exactly readinto never waits for bytes that are not on their way
        n = self.s.readinto(mv)
        if not n:
            raise OSError("closed")
        return n


def _body(r, buf, length):
    # read exactly length bytes into buf (wrapping round when buf is full) -> pos in buf
    mv = memoryview(buf)
    size = len(buf)
    pos = 0
    while length:
        if pos == size:
            pos = 0
        n = r.readinto(mv[pos : pos + min(size - pos, length)])
        pos += n
        length -= n
    return pos


def _response(r, buf):
    i = r.until(b"\r\n\r\n")
    b = r.b
    status = int(b[r.a + 9 : r.a + 12])
    head = bytes(b[r.a : i]).lower()
    r.a = i + 4
    if b"\r\ntransfer-encoding:" in head and b"chunked" in head:
        total = 0
        pos = 0
        for _ in range(_MAX_CHUNKS):
            j = r.until(b"\r\n")
            k = r.b.find(b";", r.a, j)
            size = int(bytes(b[r.a : j if k < 0 else k]), 16)
            r.a = j + 2
            if not size:
                for _ in range(64):  # trailer section: header lines up to an empty line
                    j = r.until(b"\r\n")
                    empty = j == r.a
                    r.a = j + 2
                    if empty:
                        return status, total
                raise ValueError("trailer too long")
            total += size
            pos = _chunk(r, buf, pos, size)
            r.until(b"\r\n")
            r.a += 2
        raise ValueError("too many chunks")
    i = head.find(b"\r\ncontent-length:")
    if i < 0:
        raise ValueError("no length")  # read-until-close bodies are out of scope here
    j = head.find(b"\r\n", i + 2)
    length = int(head[i + 17 : j if j > 0 else len(head)])
    _body(r, buf, length)
    return status, length


def _chunk(r, buf, pos, size):
    mv = memoryview(buf)
    end = len(buf)
    while size:
        if pos == end:
            pos = 0
        n = r.readinto(mv[pos : pos + min(end - pos, size)])
        pos += n
        size -= n
    return pos


def _connect(host, port, ctx):
    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    s = socket.socket(ai[0], socket.SOCK_STREAM, ai[2])
    try:
        s.connect(ai[-1])
        if ctx is not None:
            s = ctx.wrap_socket(s, server_hostname=host)
    except BaseException:
        s.close()
        raise
    return s


def get(host, port, path, buf, ctx=None):
    s = _connect(host, port, ctx)
    try:
        s.write(b"GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n" % (path, host, port))
        return _response(_Reader(s), buf)
    finally:
        s.close()


class Client:
    # Keep-alive: one socket and one read-ahead buffer for every get(); requests are sent
    # one at a time (no pipelining), so a response never runs into the next one.
    def __init__(self, host, port, ctx=None):
        self.tail = b" HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (host, port)
        self.s = _connect(host, port, ctx)
        self.r = _Reader(self.s)

    def get(self, path, buf):
        self.s.write(b"GET %s%s" % (path, self.tail))
        return _response(self.r, buf)

    def close(self):
        self.s.close()
