# A large WebSocket message read in once (_ws_session's read loop, through _ws_sessionx.recv,
# when proto.ws.Parser says (-1, n)): a one-frame text or a compressed message from 16 KiB,
# or a fragmented text or compressed one once 16 KiB of it came. DeflateIO makes it from its
# payload as it arrives, into one block; loaded only when such a message comes (its
# objects not in the heap of a session of small messages).
import gc
import io
import select
import time
from . import _port
from ._take import resize, take
from .proto import ws

_TAIL = b"\x00\x00\xff\xff\x03\x00"  # (proto.wspmd's: a compressed message's end)
_PULL_MS = const(30000)  # the longest a large message may take to come (the loop held)
_STATE = const(1440)  # a DeflateIO's inflater state (its window apart), as the heap holds it
_EMPTY = b"\x01\x00\x00\xff\xff"  # a deflate stream of one final empty stored block


class _Stop(Exception):
    pass  # (the peer's close inside a message being pulled: recv() returns it)


class _Src(io.IOBase):
    # DeflateIO's source for recv(): a large message's payload, from its block so far, rb
    # and, when rb is empty, the socket (blocking), over the frames it comes in (control
    # frames among them answered: a pong from a task, a close ends it). Uncompressed: as
    # stored deflate blocks, a head before each part and a final empty block; compressed:
    # as it is, with the tail. DeflateIO asks for one byte a call (nothing allocated per
    # part: the output's block may leave the heap only the window and 4 KB, _read)
    def __init__(self, s, m, a, e):
        self.s = s
        self.m = m  # the message's block, whose m[a:e] (the payload so far) comes first
        self.pa = a
        self.pe = e
        self.b = b""  # the bytes handed out: b[i:e] (a block's head, m, rb's buffer)
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
        q = self.pa
        if q < self.pe:  # (in stored blocks of 65,535 bytes at most)
            self.pa = min(self.pe, q + 65535)
            return self._part(p, self.m, q, self.pa)
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

    def low(self):
        # -> where in m the bytes not handed out yet begin (the output may go below it)
        m = self.m
        if self.b is m:
            return self.i
        if self.nb is m:
            return self.na
        return self.pa if self.pa < self.pe else len(m)

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


def _read(z, src, n, mx, wb, text):
    # the message from src through a DeflateIO (module z, window 2**wb): an uncompressed
    # one-frame one in one read(n), one bytes of its size built in place; else (n 0: its
    # size not known) into one block, src.m with the payload so far (c bytes) at its
    # start: grown once (_take.resize: in place where the heap's free run follows it, as
    # the Parser's buffer, made or last grown at the run's start, does; else moved) to the
    # limit + 1 + c or the largest the heap has (to 1/128; less the window and state where
    # they fit nowhere else), c moved to its end and read from there, the output written
    # from its start never past the bytes not read yet, the block then cut to the output
    # (its tail freed). Not read(): it grows its output by reallocation bounded by the heap
    # only (a compression bomb filled the heap before the limit was checked: 1009 "out of
    # memory"), moving it while the blocks after it are not free. No room left (the block
    # full, or the output at the bytes not read yet): the rest is counted, past the limit
    # 1009 "message over", else the heap cannot hold it (MemoryError)
    if n:
        return z.DeflateIO(src, z.RAW, wb).read(n)
    m = src.m
    c = src.pe
    w = 1 << wb
    k = min(mx + 1 + c, (_port.mem_free() or 0) + len(m) - w - _STATE - 1024)
    if k < c + 4096:
        raise MemoryError
    g = gc.isenabled()
    gc.disable()  # (_grow collects first: no garbage after the block where it grows)
    try:
        if not _grow(m, k):  # the largest, halving the range (to a heap block of 16 or 32
            e = c + 4096  # bytes: the last message's place, which may be all there is, is
            if not _grow(m, e):  # found whole); stepping down from k, its misses'
                raise MemoryError  # MemoryErrors and garbage filled the heap
            while k - e > 32:
                j = (k + e) >> 1
                if _grow(m, j):
                    e = j
                else:
                    k = j
            k = e
        # DeflateIO's state and window, made (first fit) after the block by an inflater of
        # an empty stream, after a collection: where they find no room, the block is cut
        # (its tail freed in place) and they are made again. Collected again before this
        # message's inflater makes its own, those go where these went
        e = _STATE + w
        while True:
            gc.collect()
            try:
                z.DeflateIO(io.BytesIO(_EMPTY), z.RAW, wb).read(1)
                break
            except MemoryError:
                k -= e
                e = k >> 4
                if k < c + 1024:
                    raise
                gc.collect()
                resize(m, k)
    finally:
        if g:
            gc.enable()
    mv = memoryview(m)
    e = k - c
    j = c
    while j:  # c to the block's end: back to front, in pieces that do not overlap
        n = min(j, e)
        mv[e + j - n : e + j] = mv[j - n : j]
        j -= n
    src.pa = e
    src.pe = k
    d = z.DeflateIO(src, z.RAW, wb)
    v = mv[: min(src.low(), mx + 1)]
    gc.collect()  # (the empty stream's inflater's: see above)
    n = d.readinto(v)
    v = None
    o = 0
    while n:
        o += n
        e = min(src.low(), mx + 1)
        if e <= o:  # no room: any more is counted into the output so far (given up)
            j = o
            while o <= mx:
                n = d.readinto(mv[: min(256, src.low())])
                if not n:
                    break
                o += n
            if o == j <= mx:
                break  # (it ended there: the output whole)
            # the block freed before the error is made: made beside it, its objects (kept
            # a while by the closing session) cut the heap's largest run where it was
            src.m = src.b = src.nb = m = mv = d = None
            gc.collect()
            if o > mx:
                raise ws.ProtocolError(1009, 12, mx)  # message over %d bytes
            raise MemoryError
        n = d.readinto(mv[o:e])
    mv = d = src.m = src.b = None
    # the block cut to the message (its tail freed in place) after the read-in's garbage is
    # collected: the objects its delivery makes (its echo's task, which asyncio's stale
    # pointer to the last task run keeps) go below, not into the tail, where they cut the
    # run the next message's block needs (Autobahn 12.2.14 as .mpy: its third message)
    gc.collect()
    if text:  # its bytes, sharing the block (the byte after it the C string's end), which
        resize(m, o + 1)  # its str shares
        return take(m, o)
    if o:
        resize(m, o)
        return m
    return bytearray()


def _grow(m, k):
    # m (a bytearray) resized to k bytes, after a collection -> True; False: no room (m as
    # it was)
    gc.collect()
    try:
        resize(m, k)
        return True
    except MemoryError:
        return False


def recv(s, pong):
    """A client's large message (proto.ws.Parser's (-1, n) event) where the fast way may
    not fit (_ws_sessionx.recv) -> its event; None: go on (no deflate module: a one-frame
    message's buffer made as for others). DeflateIO makes the message from its payload as
    it arrives: an uncompressed one-frame text as stored blocks into one bytes object of
    its size (n) built in place, a compressed or fragmented one into one block of the
    limit + 1 bytes at most, a fragmented one's first bytes in it (the Parser's buffer
    grown), cut to its size (_read: the limit bounds its memory, a compression bomb ends in
    1009 "message over"); a str of a bytes shares its data (a text's block: _take). So the
    message is held once: not a buffer and its str copy (64 KiB text at 192k), nor the
    compressed message beside its output, nor a fragmented message's first part beside it. Until
    its last frame is in the loop is held (a client's one connection: its message has
    begun), _PULL_MS at most (then 1006)."""
    p = s.p
    q = p.msg
    n = p.left
    try:
        import deflate
    except ImportError:  # (a one-frame text's buffer; a fragmented one goes on)
        if q == 0:
            p.msg = bytearray(n)
        return None
    one = q == 0 and not p.z  # (an uncompressed one-frame text: read(n))
    c = 0 if q == 0 else p.mlen  # (else q: the Parser's buffer, its first c bytes the payload so far)
    src = _Src(s, None if one else bytearray(1) if q == 0 else q, 0, c)
    src.pong = pong  # (_ws_sessionx.control: this module imports nothing of the session's)
    p.msg = q = None
    po = src.po = select.poll()
    po.register(s.c.s, 1)  # (select.POLLIN)
    for d in po.ipoll(0):  # (its first ipoll makes the tuple it yields: made now)
        break
    try:
        b = _read(deflate, src, n if one else 0, p.max, p.inf.ib if p.z else 8,
                  p.mop == ws.TEXT)
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
