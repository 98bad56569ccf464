# Sans-I/O WebSocket framing (RFC 6455) for both roles: the frame header parsed as a
# transaction (nothing is consumed until the whole header is there), data payloads taken in
# pieces as they arrive (unmasked in place, UTF-8 checked incrementally so a bad text fails
# at the frame that breaks it), fragments reassembled under a size limit, control frames
# and close payloads checked, and the frame header writer.
# Failures raise ProtocolError(close code, text; the text's number into proto/wsmsgs
# here); no OpenHarmony codes.

try:  # native (viper) where the build made it for this architecture (ports/native)
    from .wsmask import mask, small, utf8
except ImportError:  # plain Python: CPython, or the library copied as .py source
    from .wsref import mask, small, utf8

# the text messages' builtin as a module global: one dict lookup instead of a miss here
# and a search of the builtins table (the same name: no new qstr). Only this one: a 19th
# global grows the module's table by a step (96 B at the ws echo's heap)
str = str

CONT = const(0)
TEXT = const(1)
BINARY = const(2)
CLOSE = const(8)
PING = const(9)
PONG = const(10)

_PROTO = const(1002)
_BADDATA = const(1007)
_TOOBIG = const(1009)
_PIECE = const(4096)     # a fragmented message's buffer grown after a collection from this
_PULL = const(16384)     # a one-frame text from this size: pulled by a client's owner (see
                         # _head); a text from this size held once (_take, see _end)
_ZPULL = const(1024)     # a client's compressed text from this size: the same


class ProtocolError(Exception):
    """A peer broke the protocol: .code is the close code to answer with (as
    wshs.HandshakeError, the same class: the HTTP status), .msg says why. proto/ws and
    proto/wshs raise with a message number into proto/wsmsgs.T (and its % argument): the
    texts are loaded only when a peer fails (each comment below a raise says which)."""

    def __init__(self, code, msg, arg=None):
        if type(msg) is int:
            from .wsmsgs import T
            msg = T.split("\n")[msg]
            if arg is not None:
                msg %= arg
        super().__init__(code, msg)
        self.code = code
        self.msg = msg


class Parser:
    """Frames in, events out. client: this side is the client (frames from the server must
    not be masked; a server gets only masked frames). mx bounds a message (after
    decompression as well) -> 1009. codec: proto.wspmd's Codec when permessage-deflate
    was agreed (its inflate), else None.

    next(rb) -> None (need bytes) or an event tuple:
      (TEXT, str) (BINARY, bytearray) (PING, bytes) (PONG, bytes) (CLOSE, code, reason)
      (-1, n): a client's large message (a one-frame text or compressed one of n >= 16 KiB
      bytes, a compressed text from 1 KiB, msg 0; or a fragmented one at 16 KiB, a
      compressed text at 1 KiB, msg its buffer, mlen bytes so far): the owner reads it in
      itself, or sets msg to bytearray(n) (msg 0) and calls next() again; a server's
      fragmented message, or an uncompressed one that does not come whole (over 125
      bytes): the owner loads what its reply needs, then calls next() again (which makes
      the buffer)
    A close without a body gives code 1005. After CLOSE it returns None for ever."""

    # per-frame and per-message state, as class defaults: an instance holds its own only
    # once a frame changed them (the quick path in next() changes none)
    op = -1        # opcode of the frame being read, -1: a header comes next
    fin = False
    masked = False
    left = 0       # payload bytes of this frame still to come
    k = 0          # mask phase of the next payload byte
    mop = 0        # opcode of the message being assembled, 0: none
    z = False      # this message is compressed
    msg = None     # bytearray: the message so far (exact size for one-frame ones)
    mlen = 0
    u8 = 0         # UTF-8 state across pieces (uncompressed text)
    done = False
    size = 0       # bytes of the last message assembled in a buffer (not the quick path's),
                   # for the owner to reset: a session collects garbage after a large one
    key = None     # a server's: the mask key of the frame being read

    def __init__(self, client, mx=5 << 20, codec=None):
        self.client = client
        self.mbit = 0 if client else 128  # the mask bit frames to this side must have
        self.max = mx
        self.inf = codec
        if not client:  # (frames to a client are never masked: no key)
            self.key = bytearray(4)
        self.op = -1   # (read for every frame: an instance attribute is found first)
        self.mop = 0
        # the frame state the first frame off the quick path sets (a close frame at the
        # latest): the attribute table at its size now, not grown then
        self.masked = self.fin = False
        self.k = self.left = self.size = 0

    def _head(self, rb):
        # -> True when a whole header was taken (self.op set), False: need more
        buf = rb.buf
        s = rb.start
        avail = rb.end - s
        if avail < 2:
            return False
        b0 = buf[s]
        b1 = buf[s + 1]
        op = b0 & 15
        if op >= 8:
            if op > PONG:
                raise ProtocolError(_PROTO, 0, op)  # reserved opcode %d
            if not b0 & 128:
                raise ProtocolError(_PROTO, 1)  # fragmented control frame
            if (b1 & 127) > 125:
                raise ProtocolError(_PROTO, 2)  # control frame over 125 bytes
            if b0 & 112:
                raise ProtocolError(_PROTO, 3)  # reserved bits set on a control frame
        else:
            if op > BINARY:
                raise ProtocolError(_PROTO, 0, op)  # reserved opcode %d
            if op == CONT:
                if not self.mop:
                    raise ProtocolError(_PROTO, 4)  # continuation without a message
                if b0 & 112:
                    raise ProtocolError(_PROTO, 5)  # reserved bits set on a continuation
            else:
                if self.mop:
                    raise ProtocolError(_PROTO, 6)  # new message inside a fragmented one
                if b0 & 48 or (b0 & 64 and self.inf is None):
                    raise ProtocolError(_PROTO, 7)  # reserved bits set
        masked = b1 & 128
        if self.client == bool(masked):
            # masked frame from the server / unmasked frame from a client
            raise ProtocolError(_PROTO, 8 if masked else 9)
        n = b1 & 127
        need = 2
        if n == 126:
            need = 4
        elif n == 127:
            need = 10
        if masked:
            need += 4
        if avail < need:
            return False
        if n == 126:
            n = buf[s + 2] << 8 | buf[s + 3]
            if n < 126:
                raise ProtocolError(_PROTO, 10)  # length not in its shortest form
        elif n == 127:
            if buf[s + 2] & 128:
                raise ProtocolError(_PROTO, 11)  # 64-bit length with the top bit set
            n = 0
            for i in range(s + 2, s + 10):
                n = n << 8 | buf[i]
            if n < 65536:
                raise ProtocolError(_PROTO, 10)  # length not in its shortest form
        if op < 8:
            if self.mlen + n > self.max:
                raise ProtocolError(_TOOBIG, 12, self.max)  # message over %d bytes
            if op != CONT:
                self.mop = op
                self.z = bool(b0 & 64)
                self.u8 = 0
                if avail >= need + n and b0 & 192 == 128:
                    self.msg = None  # one frame, all here, uncompressed: made from rb at once
                elif self.client and b0 & 128 and n >= (
                        _ZPULL if b0 & 64 and op == TEXT else _PULL) and (op == TEXT or b0 & 64):
                    self.msg = 0  # a client's large text or compressed one: see _next
                else:  # its buffer, made at its payload (see _next; a client's fragmented
                    # message's too); a server's fragmented message's, or an uncompressed
                    # one's whose echo needs _ws_sessionx (over 125 bytes), once its owner
                    # had (-1, n)
                    self.msg = 0 if not self.client and (
                        not b0 & 128 or n > 125 and not b0 & 64) else 1
                self.mlen = 0
            elif type(self.msg) is bytearray:  # a fragmented message: one buffer (see
                # _next; a server's compressed one then inflated in it, proto/wspmdz; a
                # client's read in from its first 16 KiB, _ws_big, grown into its block), with
                # room for this frame's payload now and a byte more (a large text's C
                # string end for _take), an eighth more while more frames may come. Grown
                # at frame heads only, after a collection once large: grown by each read,
                # the views made per read and left as garbage after its end made it move up
                # the heap, needing its size twice (the board row over a socket: 1009 with
                # twice the message free). The eighth more where it fits, else what this
                # frame needs: a compressed message that compresses little (a pdf: 63 KB of
                # 64 KiB) with an eighth more outgrew what its inflate in place needs (t + a
                # margin), and found no room where that would have
                m = self.msg
                e = self.mlen + n
                if len(m) <= e:
                    i = min(max(e, len(m) + (len(m) >> 3)), self.max) if not b0 & 128 else e
                    if len(m) >= _PIECE:
                        import gc
                        gc.collect()
                    while len(m) <= i:  # (from rb's buffer: nothing allocated between)
                        k = i + 1 - len(m)
                        try:
                            m.extend(rb.buf if k >= len(rb.buf) else rb.mv[:k])
                        except MemoryError:
                            if i == e:
                                raise
                            i = e
                m = None
        if masked:  # (no slice: nothing allocated per frame, see _ws_sessionx._Src)
            k = self.key
            s += need - 4
            k[0] = buf[s]
            k[1] = buf[s + 1]
            k[2] = buf[s + 2]
            k[3] = buf[s + 3]
        self.masked = masked
        self.k = 0
        self.fin = bool(b0 & 128)
        self.left = n
        self.op = op
        rb.consume(need)
        return True

    def next(self, rb):
        # the common case without the frame state: a whole small unfragmented uncompressed
        # data frame in rb becomes its event at once (6 locals: this frame stays off the heap)
        a = rb.start
        if self.op < 0 and not self.mop and rb.end - a >= 2:
            e = rb.buf
            b0 = e[a]
            m = e[a + 1]
            e = m & 127
            m &= 128
            a += 6 if m else 2
            if (b0 == 129 or b0 == 130) and e < 126 and m == self.mbit \
                    and rb.end >= a + e and e <= self.max:
                e += a
                if (m or b0 == 129) and small(rb.buf, a, e, m) and b0 == 129 \
                        and utf8(rb.buf, a, e, 0):
                    raise ProtocolError(_BADDATA, 13)  # invalid UTF-8 in a text message
                m = (TEXT, str(rb.mv[a:e], "utf-8")) if b0 == 129 else (
                    BINARY, bytearray(rb.mv[a:e]))
                if e >= rb.end:  # (rb.consume inlined)
                    rb.start = rb.end = 0
                else:
                    rb.start = e
                return m
        return self._next(rb)

    def _next(self, rb):
        if self.op < 0 and rb.end - rb.start < 2:
            return None
        while not self.done:
            if self.op < 0 and not self._head(rb):
                return None
            op = self.op
            n = self.left
            s = rb.start
            if op >= 8:  # control frames wait for their whole payload (at most 125 bytes)
                if rb.end - s < n:
                    return None
                if self.masked:
                    mask(rb.buf, s, s + n, self.key, 0)
                data = bytes(rb.mv[s : s + n])
                rb.consume(n)
                self.op = -1
                if op == CLOSE:
                    self.done = True
                    self.mop = -1  # (the quick path in next() is off too)
                    return _close(data)
                return (op, data)
            m = self.msg
            if m == 0:  # (see _head) a client's large message: the owner reads it in itself
                # (its _ws_sessionx.recv), or gives it a buffer (msg) and goes on; a server's:
                # its owner loads what the reply needs (_ws_sessionx), then its buffer is made
                # (that code loaded after it, amid the heap's free run, cut the run once the
                # message was freed: Autobahn's next 64 KiB text found no room)
                if not self.client:
                    self.msg = 1
                return (-1, n)
            if m == 1:  # its buffer: a one-frame message's exact buffer, a large text's a
                # byte more for _take (see _end); a server's fragmented one's first (grown at
                # each frame's head: see _head), _take loaded for a text (it may grow large).
                # _take loaded first: not amid the heap's free run after the buffer, which
                # it would cut as above (made once it is large: 1009 at a tight heap)
                m = n
                if not self.fin or n >= _PULL and op == TEXT and not self.z:
                    m += 1
                    if op == TEXT:
                        from .. import _take
                self.msg = bytearray(m)
            m = None
            if self.msg is None:  # a whole one-frame message in rb (see _head): no copy
                e = s + n       # into a message buffer, the event's object made from rb
                self._piece(rb.buf, s, e)
                self.op = -1
                self.mop = 0
                mv = rb.mv[s:e]
                if op == TEXT:
                    if self.u8:
                        raise ProtocolError(_BADDATA, 14)  # text message ends inside a character
                    ev = (TEXT, str(mv, "utf-8"))
                else:
                    ev = (BINARY, bytearray(mv))
                rb.consume(n)
                return ev
            if rb.end - s < n:
                n = rb.end - s
                if not n and self.left:
                    return None
            if n:
                self._piece(rb.buf, s, s + n)
                m = self.msg
                e = self.mlen
                m[e : e + n] = rb.mv[s : s + n]
                # a client's fragmented text or compressed one at _PULL bytes (a compressed
                # text: _ZPULL): its owner may read the rest in (_ws_big), or go on (took too)
                big = _ZPULL if self.z and self.mop == TEXT else _PULL
                big = e < big <= e + n and (self.z or self.mop == TEXT) and self.client
                self.mlen = e + n
                rb.consume(n)
                m = None  # (the message: not held here while _end inflates it)
                if big:
                    return (-1, n)
            if self.left:
                return None
            self.op = -1
            if self.fin:
                return self._end()
        return None

    def _piece(self, buf, a, b):
        # payload bytes buf[a:b] of the current data frame arrived: unmask, check UTF-8
        if self.masked:
            mask(buf, a, b, self.key, self.k)
            self.k += b - a
        self.left -= b - a
        if self.mop == TEXT and not self.z:
            st = utf8(buf, a, b, self.u8)
            if st < 0:
                raise ProtocolError(_BADDATA, 13)  # invalid UTF-8 in a text message
            self.u8 = st

    def direct(self):
        """Where payload bytes of the current frame may be read straight into, bypassing rb
        (call only when rb is empty): a memoryview of the message buffer, or None."""
        if self.op < 0 or self.op >= 8 or not self.left:
            return None
        m = self.msg
        e = self.mlen
        if len(m) < e + self.left:  # (a safeguard: its frame's head made the room)
            return None
        return memoryview(m)[e : e + self.left]

    def took(self, n):
        """n bytes were written into what direct() gave -> like next(): None or an event."""
        e = self.mlen
        self._piece(self.msg, e, e + n)
        self.mlen = e + n
        if self.client and (self.z or self.mop == TEXT) and e < (
                _ZPULL if self.z and self.mop == TEXT else _PULL) <= e + n:
            return (-1, n)  # (as _next: its owner may read the rest in)
        if self.left:
            return None
        self.op = -1
        return self._end() if self.fin else None

    def _end(self):
        op = self.mop
        n = self.mlen
        self.mop = 0
        self.mlen = 0
        if self.z:  # (inflate takes self.msg: no reference here, so it can free it)
            m = self.inf.inflate(self, n, self.max, op == TEXT)  # (text: bytes, shared by its str)
            n = len(m)
            if op == TEXT and utf8(m, 0, n, 0):
                raise ProtocolError(_BADDATA, 13)  # invalid UTF-8 in a text message
        else:
            m = self.msg
            self.msg = None
            if op == TEXT and self.u8:
                raise ProtocolError(_BADDATA, 14)  # text message ends inside a character
            if op == TEXT and n >= _PULL:
                # its memory handed over as the bytes its str shares (_take): the text held
                # once, not as its buffer and a str copy (an exact one: its C string end)
                if len(m) == n:
                    m.append(0)
                from .._take import take
                m = take(m, n)
            elif len(m) > n:  # a grown buffer's room not used (see _head): cut in place
                m[n:] = b""
        self.size = n
        if op == TEXT:  # (m[:n] is checked UTF-8)
            return (TEXT, str(m if len(m) == n else memoryview(m)[:n], "utf-8"))
        # binary: the message's own buffer, handed over (no copy; the parser makes a new one)
        return (BINARY, m if len(m) == n else m[:n])


def _close(data):
    n = len(data)
    if not n:
        return (CLOSE, 1005, "")
    if n == 1:
        raise ProtocolError(_PROTO, 15)  # close payload of 1 byte
    code = data[0] << 8 | data[1]
    # a close code a peer may send (RFC 6455 §7.4; 1005, 1006 and 1015 are local only)
    if not (1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999):
        raise ProtocolError(_PROTO, 16, code)  # close code %d not allowed
    if utf8(data, 2, n, 0):
        raise ProtocolError(_BADDATA, 17)  # invalid UTF-8 in the close reason
    return (CLOSE, code, str(data[2:], "utf-8"))


def head(hb, op, n, fin=True, key=None, z=False):
    """Write a frame header for an n-byte payload into hb (a bytearray of 14) -> its length.
    key: the 4-byte mask key (a client's frames), None for a server's."""
    hb[0] = (128 if fin else 0) | (64 if z else 0) | op
    m = 128 if key is not None else 0
    if n < 126:
        hb[1] = m | n
        i = 2
    elif n < 65536:
        hb[1] = m | 126
        hb[2] = n >> 8
        hb[3] = n & 255
        i = 4
    else:
        hb[1] = m | 127
        for j in range(9, 1, -1):
            hb[j] = n & 255
            n >>= 8
        i = 10
    if key is not None:
        hb[i : i + 4] = key
        i += 4
    return i


def close_payload(code, reason=""):
    """Body of a close frame; code None -> empty (no status). A reason is cut to fit the
    125-byte control frame at a character boundary."""
    if code is None:
        return bytes()  # (the empty bytes object: no constant)
    r = reason.encode() if isinstance(reason, str) else bytes(reason)
    if len(r) > 123:
        r = r[:123]
        j = len(r) - 1
        while j > 0 and (r[j] & 0xC0) == 0x80:  # back to the last character's lead byte
            j -= 1
        c = r[j]
        if c >= 0xC0 and j + (2 if c < 0xE0 else 3 if c < 0xF0 else 4) > len(r):
            r = r[:j]  # that character was cut: drop it
    return bytes((code >> 8, code & 255)) + r
