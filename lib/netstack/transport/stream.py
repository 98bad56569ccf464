# A TCP (optionally TLS) connection driven by the asyncio poller, reading straight into
# caller-owned buffers. Raises plain OSError/ValueError; each facade maps them to its own
# OpenHarmony codes (http 2300xxx, socket 2301xxx/2303xxx) with conn.stage telling where.
import errno
from .. import _port

# stages: where a failure happened, for the facade's error mapping
RESOLVE = 0   # name lookup
CONNECT = 1   # TCP connect (and, for TLS, the handshake, which runs on first I/O)
OPEN = 2      # connected and at least one byte went through


class Conn:
    def __init__(self, s, tls=False):
        self.s = s
        self.tls = tls
        self.stage = CONNECT
        self.closed = False

    async def readinto(self, mv):
        """Read up to len(mv) bytes into mv; 0 means the peer closed."""
        s = self.s
        while True:
            n = s.readinto(mv)
            if n is not None:
                if n:
                    self.stage = OPEN
                return n
            await _port.wait_readable(s)

    async def fill(self, mv):
        """Like readinto, but once bytes came it goes on reading without waiting until mv
        is full or the socket has nothing more right now: fewer rounds for bulk data."""
        n = await self.readinto(mv)
        if 0 < n < len(mv):
            n += self.fill_now(mv[n:])
        return n

    def fill_now(self, mv):
        """Bytes already received, into mv, without waiting; 0: none now (or closed: the
        next readinto tells)."""
        s = self.s
        n = 0
        end = len(mv)
        while n < end:
            k = s.readinto(mv[n:])
            if not k:
                break
            n += k
        return n

    async def write(self, data):
        """Send all of data (bytes, bytearray or memoryview)."""
        s = self.s
        mv = memoryview(data)
        off = 0
        end = len(mv)
        while off < end:
            n = s.write(mv[off:] if off else mv)
            if n is None:
                await _port.wait_writable(s)
                continue
            off += n
            if n and not self.tls:
                self.stage = OPEN

    def start_tls(self, ctx, server_hostname):
        """Wrap the connected socket in TLS (handshake runs on the first read or write)."""
        self.s = _port.tls_wrap(ctx, self.s, server_hostname)
        self.tls = True
        self.stage = CONNECT

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.s.close()
            except OSError:
                pass


async def connect(host, port):
    """TCP connect. Raises OSError; check the returned Conn's stage on later errors."""
    family, addr = _port.resolve(host, port)
    s = _port.tcp_socket(family)
    try:
        s.connect(addr)
    except OSError as e:
        if e.errno != errno.EINPROGRESS:
            s.close()
            raise
    c = Conn(s)
    try:
        await _port.wait_writable(s)
    except BaseException:  # cancelled (timeout): do not leak the socket
        c.close()
        raise
    return c
