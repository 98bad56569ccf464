# A large WebSocket message read in once (_ws_session's read loop, through _ws_sessionx.recv,
# when proto.ws.Parser says (-1, n)): a one-frame text or a compressed message from 16 KiB,
# or a fragmented text or compressed one once 16 KiB of it came. DeflateIO makes it from its
# payload as it arrives, into one bytes object; loaded only when such a message comes (its
# objects not in the heap of a session of small messages).
import io
import select
import time
from . import _port
from .proto import ws

_TAIL = b"\x00\x00\xff\xff\x03\x00"  # (proto.wspmd's: a compressed message's end)
_PULL_MS = const(30000)  # the longest a large message may take to come (the loop held)
_STATE = const(1440)  # a DeflateIO's inflater state (its window apart), as the heap holds it


class _Stop(Exception):
    pass  # (the peer's close inside a message being pulled: recv() returns it)


class _Src(io.IOBase):
    # DeflateIO's source for recv(): a large message's payload, from its pieces so far, rb
    # and, when rb is empty, the socket (blocking), over the frames it comes in (control
    # frames among them answered: a pong from a task, a close ends it). Uncompressed: as
    # stored deflate blocks, a head before each part and a final empty block; compressed:
    # as it is, with the tail. DeflateIO asks for one byte a call (nothing allocated per
    # part: the output's block may leave the heap only the window and 4 KB, _read)
    def __init__(self, s, q):
        self.s = s
        self.q = q  # the pieces so far (Parser.msg, a list), or None
        self.b = b""  # the bytes handed out: b[i:e] (a block's head, a piece, rb's buffer)
        self.i = self.e = self.na = self.ne = 0
        self.nb = None  # the part after the head being handed out: nb[na:ne]
        self.h = bytearray(5)  # a stored block's head
        self.end = time.ticks_add(time.ticks_ms(), _PULL_MS)  # the message's deadline

    def readinto(self, b):
        i = self.i
        if i >= self.e:
            i = self._more()
        b[0] = self.b[i]
        self.i = i + 1
        return 1

    def _more(self):
        s = self.s
        p = s.p
        rb = s.rb
        if self.b is rb.buf:
            rb.consume(self.e - rb.start)  # (handed out)
        q = self.nb
        if q is not None:
            self.nb = None
            self.b = q
            self.e = self.ne
            return self.na
        q = self.q
        if q:
            q = q.pop(0)
            return self._part(p, q, 0, len(q))
        while not p.left:
            if p.fin:  # the end: the stream's final block
                self.b = _TAIL if p.z else b"\x01\x00\x00\xff\xff"
                self.e = len(self.b)
                return 0
            while not p._head(rb):  # the next frame: a continuation or a control frame
                self._fill(s, rb)
            n = p.left
            if p.op >= 8:
                while rb.end - rb.start < n:
                    self._fill(s, rb)
                a = rb.start
                if p.masked:
                    ws.mask(rb.buf, a, a + n, p.key, 0)
                d = bytes(rb.mv[a : a + n])
                rb.consume(n)
                p.left = 0
                op = p.op
                p.op = -1
                if op == ws.CLOSE:
                    p.done = True
                    p.mop = -1
                    self.nb = ws._close(d)
                    raise _Stop()
                if op == ws.PING:
                    _port.spawn_after(self.pong(s, ws.PONG, d), 0)
                else:
                    s.pong_due = False
                p.fin = False
        while rb.end == rb.start:
            self._fill(s, rb)
        a = rb.start
        n = min(rb.end - a, p.left, 65535)
        p._piece(rb.buf, a, a + n)  # (unmasks a client's bytes, checks a text's UTF-8)
        p.mlen += n
        return self._part(p, rb.buf, a, a + n)

    def _part(self, p, b, a, e):
        # hand out b[a:e]: compressed as it is, else after its stored block's head
        if p.z:
            self.b = b
            self.e = e
            return a
        self.nb = b
        self.na = a
        self.ne = e
        b = self.b = self.h
        n = e - a
        b[0] = 0  # (not final; _fill may have used it)
        b[1] = n & 255
        b[2] = n >> 8
        b[3] = 255 - b[1]
        b[4] = 255 - b[2]
        self.e = 5
        return 0

    po = None  # its poller (made before the output, see recv)
    lost = False  # the link failed (an OSError of DeflateIO's own: bad data)

    def _fill(self, s, rb):
        # more bytes into rb, waiting for them (the loop held: a message has begun). Into
        # an empty rb a read of its size; after a part of a frame's head (or of a control
        # frame) a byte a read into self.h, moved to rb's end: no memoryview of rb's tail
        c = s.c
        while True:
            e = rb.end
            v = self.h if e else rb.mv
            n = 0 if c.closed else c.s.readinto(v, 1) if e else c.s.readinto(v)
            if n:
                b = rb.buf
                if e:
                    if e == len(b):  # (compacted: a byte at a time, no slice)
                        a = rb.start
                        e -= a
                        for i in range(e):
                            b[i] = b[a + i]
                        rb.start = 0
                    b[e] = v[0]
                rb.end = e + n
                return
            if n is not None:
                self.lost = True
                raise OSError(0, "connection closed by the peer")
            e = time.ticks_diff(self.end, time.ticks_ms())
            for e in self.po.ipoll(e if e > 0 else 0):  # (ipoll: no list made)
                break
            else:
                self.lost = True
                raise OSError(110, "timed out inside a message")


def _read(z, src, n, mx, wb):
    # the message from src through a DeflateIO (module z, window 2**wb): an uncompressed
    # one-frame one in one read(n); else (n 0: its size not known) in one read(k) into a
    # block of the limit + 1 bytes, or of the largest the heap has where that is less (to
    # 1/128; less the window and state where they fit nowhere else), cut to its size (freed in
    # place). Not read(): it grows its output by reallocation bounded by the heap only (a
    # compression bomb filled the heap before the limit was checked: 1009 "out of memory"),
    # in place only while the blocks after it are free. A block that then does not fit (the
    # window's did not): a quarter smaller, with a new DeflateIO, while src has handed out
    # nothing. A full block with more to come: of the limit + 1, the caller's 1009; smaller,
    # the heap cannot hold it
    k = n
    if not n:
        # the largest block: tried 1/128 smaller at a time with the collector off (a block
        # that does not fit costs a scan, not a collection: the last messages' garbage was
        # collected, _ws_sessionx.recv); the one found is garbage, read(k) collects it once
        import gc
        w = 1 << wb
        k = max(0, min(mx + 1, _port.mem_free() - w - _STATE - 1024))
        g = gc.isenabled()
        gc.disable()
        try:
            while k >= 4096:
                try:
                    bytearray(k)
                except MemoryError:
                    k -= k >> 7
                    continue
                # DeflateIO's state and window, made after the output's block (first fit):
                # one with no room elsewhere goes at the end of the block's run (not off a
                # block of the limit + 1: its "message over" needs it whole; the collection
                # in read(k) may make them room, else read(k) fails and a smaller one is tried)
                if k <= mx:
                    try:
                        bytearray(_STATE)
                    except MemoryError:
                        k -= _STATE
                    try:
                        bytearray(w)
                    except MemoryError:
                        k -= w
                break
        finally:
            if g:
                gc.enable()
    while True:
        i = src.i
        e = src.b
        d = z.DeflateIO(src, z.RAW, wb)
        try:
            b = d.read(k)
            break
        except MemoryError:
            if n or src.i != i or src.b is not e or k < 4096:
                raise
            d = None
            k -= k >> 2
    if not n and len(b) == k <= mx and d.read(1):
        raise MemoryError
    return b


def recv(s, pong):
    """A client's large message (proto.ws.Parser's (-1, n) event) where the fast way may
    not fit (_ws_sessionx.recv) -> its event; None: go on (no deflate module: a one-frame
    message's buffer made as for others). DeflateIO makes the message from its payload as
    it arrives: an uncompressed one as stored blocks into one bytes object of its size (n)
    built in place, a compressed or fragmented one into one block of the limit + 1 bytes
    at most, cut to its size (_read: the limit bounds its memory, a compression bomb ends
    in 1009 "message over"); a str of a bytes shares its data. So the message is held
    once: not a buffer and its str copy (64 KiB text at 192k), nor the compressed message
    beside its output, nor a fragmented message's pieces beside the joined bytes. Until
    its last frame is in the loop is held (a client's one connection: its message has
    begun), _PULL_MS at most (then 1006)."""
    p = s.p
    q = p.msg
    n = p.left
    try:
        import deflate
    except ImportError:  # (a one-frame text's buffer; the pieces go on)
        if q == 0:
            p.msg = bytearray(n)
        return None
    src = _Src(s, q if q else None)
    src.pong = pong  # (_ws_sessionx.control: this module imports nothing of the session's)
    p.msg = None
    po = src.po = select.poll()
    po.register(s.c.s, 1)  # (select.POLLIN)
    for d in po.ipoll(0):  # (its first ipoll makes the tuple it yields: made now)
        break
    try:
        b = _read(deflate, src, n if q == 0 and not p.z else 0, p.max, p.inf.ib if p.z else 8)
    except _Stop:
        return src.nb
    except (OSError, ValueError, EOFError) as e:
        if src.lost:
            raise
        raise ws.ProtocolError(1007, "bad compressed data: %s" % e)
    finally:
        po.unregister(s.c.s)
    rb = s.rb
    if src.b is rb.buf:
        rb.consume(src.e - rb.start)
    n = len(b)
    op = p.mop
    if n > p.max:
        raise ws.ProtocolError(1009, 12, p.max)  # message over %d bytes
    if op == ws.TEXT and (p.u8 if not p.z else ws.utf8(b, 0, n, 0)):
        raise ws.ProtocolError(1007, 13)  # invalid UTF-8 in a text message
    p.op = -1
    p.mop = 0
    p.mlen = 0
    p.size = n
    return (op, str(b, "utf-8") if op == ws.TEXT else b)
