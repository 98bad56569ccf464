# One open WebSocket connection, for both sides (client and server): the read loop over a
# Conn and a RecvBuf through proto.ws, message delivery to the owner, automatic pongs,
# pings with a pong timeout, the close handshake, and the write side (masking for a client,
# compression where agreed and available). Its paths that a session of small messages
# closing normally never runs are _ws_sessionx (larger messages and fragments, control
# frames, a close under the connection's turn, a protocol failure), loaded on first use.
# The owner gets on_close(session, code, reason) once, and on_error(session, text) when
# the peer broke the protocol or the link failed; a client's, on_message(session, data)
# (a server's, _m(data) with its _cur set to the session: _ws_server's delivery).
import os
import sys
from . import _aw, _port
from ._err import param
from .proto import ws

small = ws.small  # (proto.ws's: native wsmask or wsref; no import name of their own to intern)

# (underscored consts are compiled in: no names interned, no dict entries; see
# bench/ws_ram.py, where every interned name and function object on the client's path counts)
_CLOSE_WAIT_MS = const(3000)  # how long to wait for the peer's side of the close handshake
# permessage-deflate: the largest window (bits) this side inflates with (a message being
# decompressed holds a 2^bits window). A port may set WS_WINDOW_BITS; else it follows the
# free heap when this module loads (the code is in by then): 15 (32 KiB) from 256 KB free,
# 12 (4 KiB) from 96 KB, 10 (1 KiB) below. (getattr on _port would load _portx to look.)
WINDOW_BITS = _port.__dict__.get("WS_WINDOW_BITS")
if not WINDOW_BITS:
    WINDOW_BITS = _port.mem_free()  # free heap: asked through the seam; None on CPython
    WINDOW_BITS = 15 if WINDOW_BITS is None or WINDOW_BITS >= 262144 else \
        12 if WINDOW_BITS >= 98304 else 10
_CHUNK = const(1024)     # a client's kept small-frame buffer (see _KEEP)
_SMALL = const(1010)     # frames with payloads up to this are built whole, written at once
# MicroPython (where _gc is set) exposes a str's UTF-8 bytes as a buffer: a text goes out
# without a copy (memoryview(str)).
# MicroPython: a collection after each message over 1/16 of the free heap. Until the heap is
# full the garbage of the last one (its buffers, the str of a text) is not free, so the
# small objects made meanwhile land beyond it and cut the free space into pieces too small
# for the next one (16 KiB deflate echoes at 192k). Not for smaller ones: it costs time
_gc = None
_GC_OVER = 0
if sys.implementation.name == "micropython":
    import gc
    _gc = gc.collect
    _GC_OVER = (_port.mem_free() or 0) >> 4  # the heap free once the code is in

_F = 1.0                 # see _aw.nudge: a one-block object per message keeps MicroPython's
                         # allocator from scanning all the garbage since the last collection
# The builtins of the per-message path as module globals: LOAD_GLOBAL then finds them in
# this module's dict at once, instead of after a miss there and a search of the builtins
# table (~340 instructions a use on the unix port); same names, so no new qstrs
len = len
type = type
str = str
memoryview = memoryview
bytes = bytes
bytearray = bytearray
isinstance = isinstance
callable = callable
_TEXT = const(1)         # ws.TEXT, ws.BINARY, ws.CLOSE, ws.PING as constants here
_BINARY = const(2)
_CLOSE = const(8)
_PING = const(9)
# A client keeps a 1 KB buffer for its small frames where the heap is large (the free heap
# when this module loads >= 256 KB, as for the deflate window): each allocation on a
# fragmented heap scans for a run of free blocks (~7k instructions per 64 B echo here);
# on a small heap every frame has a buffer of its size instead (1 KB less per session)
_KEEP = _GC_OVER >= 16384 or not _gc

_OPEN = const(0)         # Session.state
_CLOSING = const(1)      # our close frame is out
_CLOSED = const(2)


def rand(n):
    # n random bytes: the port's random_bytes if it has its own, else os.urandom, without
    # loading _portx for its default (~4 KB of heap for a client session)
    f = _port.__dict__.get("random_bytes")
    return f(n) if f else os.urandom(n)


_X = None  # _ws_sessionx once loaded


def _x():
    # _ws_sessionx: what a session of small messages that closes normally never runs
    # (messages over _SMALL bytes, pings and pongs, a close under the turn, a failure),
    # loaded at the first need and kept (an import statement costs ~15k instructions)
    global _X
    if _X is None:
        from . import _ws_sessionx
        _X = _ws_sessionx
    return _X



# send() callbacks while a session delivers a message (None otherwise): they run when its
# listeners have returned. The usual send from a message listener (an echo, a reply) then
# costs no task for its callback. (A server's listener: _ws_server._k instead)
_q = None
_Q = []


def done(callback, what):
    """send()'s (close()'s) outcome when send_now() (close_now()) did it at the call: the
    callback still runs later, from the loop, as every callback does (after the message
    listener that called send, or from one task for all the callbacks queued until it
    runs: no lock, frame or write coroutines); without one, an awaitable giving True."""
    global _P
    if callback is None:
        return _aw.Op(_true(), what)
    if _q is not None:
        _q.append(callback)
        return
    if _P is None:  # the first since the task last ran: one task for them all (made
        p = [callback]  # first: out of memory here holds nothing, netstack.run() ends)
        _port.spawn_after(_later(), 0)  # (a task of the one-task loop too: no asyncio)
        _P = p
        _aw.hold()
    else:
        _P.append(callback)


_P = None  # callbacks of sends made outside a message listener, for _later's task


async def _true():
    return True


async def _later():
    global _P
    _aw.release()
    p = _P
    _P = None  # (a send from one of these callbacks starts the next task)
    for cb in p:
        try:
            cb(None, True)
        except Exception as e:
            _aw.report(e, "result")


def close_args(options, reason):
    """close()'s options (client and server) -> (code, reason), at the call. A code a peer
    may not be sent becomes 1000; options or a reason of the wrong type -> 401."""
    if options is None:
        options = {}
    elif not isinstance(options, dict):
        raise param(18)  # options must be an object (dict)
    code = options.get("code", 1000)
    reason = options.get("reason", reason)
    if not isinstance(code, int) or not (1000 <= code <= 1015 or 3000 <= code <= 4999) \
            or 1004 <= code <= 1006 or code == 1015:
        code = 1000
    if not isinstance(reason, str):
        raise param("reason must be a string")
    return code, reason


class Session:
    # Defaults as class attributes: an instance gets its own only when one changes, so a
    # session's attribute table stays small (RAM per server client)
    scratch = None      # client: the small frames' buffer where _KEEP
    keys = None         # client: random bytes for mask keys
    ki = 64
    pong_due = False
    pinger = None
    _tmo = False
    ref = None          # the owner's handle for this session (server: connection)
    task = None         # the task running run(), for the pong timeout to stop
    lost = False
    act = False         # bytes came since the server's idle task last looked

    def __init__(self, conn, rb, client, mx, codec, owner):
        if _gc:  # long-lived objects of this connection packed low, not amid garbage
            _gc()
        self.c = conn
        self.rb = rb
        self.client = client
        self.p = ws.Parser(client, mx, codec)
        self.codec = codec
        self.owner = owner
        self.state = _OPEN
        self.act = True  # (a new client counts as active until the idle task's next look)
        if client:  # read for every frame: instance attributes are found first
            self.ki = 64
            self.keys = None
            self._tmo = False  # (the close's _drain sets it: the table at its size now,
                               # not grown at the close, amid that moment's objects)
        # (a client's 12 attributes with its task: the 12-slot table MicroPython gives
        # them; a 13th grows it to 17. scratch stays the class's None unless _KEEP)

    # ------------------------------------------------------------------ writing

    def _small(self, op, data, n, fin, z, p=None):
        """A frame with a payload of n <= _SMALL bytes (data: bytes-like, or None and p a
        tuple of them) whole in one buffer (a client masks it there) -> the buffer, of the
        frame's exact size, or a memoryview of a client's kept 1 KB one where _KEEP. The
        header is ws.head's, inlined (it runs once per message)."""
        b0 = op | (128 if fin else 0) | (64 if z else 0)
        a = 2 if n < 126 else 4
        if self.client:
            s = self.scratch
            if s is None:
                if _KEEP:
                    s = self.scratch = bytearray(_CHUNK)
                else:
                    s = bytearray(a + 4 + n)
            # mask keys: 4 bytes of a 64-byte block of os.urandom, a syscall per 16 frames
            i = self.ki
            if i >= 64:
                self.keys = rand(64)
                i = 0
            self.ki = i + 4
            m = 128
        else:
            s = bytearray(a + n)
            m = 0
        s[0] = b0
        if a == 2:
            s[1] = m | n
        else:
            s[1] = m | 126
            s[2] = n >> 8
            s[3] = n & 255
        if m:
            s[a : a + 4] = self.keys[i : i + 4]
            a += 4
        b = a + n
        if p is None:
            s[a:b] = data
        else:
            e = a
            for q in p:
                d = e + len(q)
                s[e:d] = q
                e = d
        if m:
            small(s, a, b, 1)  # masks with the key before the payload, as a frame has it
        return memoryview(s)[:b] if s is self.scratch else s

    def send_now(self, data, callback, mx=5242864):
        """A message out at once, without a task, lock or coroutine, when that can be done
        (open, nobody writing, a str or bytes/bytearray of at most _SMALL bytes, a callable
        or no callback, no compression: the common case) -> True: it went out; None:
        nothing was written, use send() (after check_data: a bad argument is its 401);
        else a coroutine to await for the rest of it (the socket took part: a task writes
        it, holding the connection's turn). When it went out, callback (if any) is queued
        as done() does (one call less per message). mx: the facade's SEND_LIMIT (over it:
        None, and check_data's 401; the server's is the default). Raises OSError."""
        if self.state or self.c.wq is not None or callback is not None and not callable(callback):
            return None
        t = type(data)  # (check_data's common cases, without the call)
        if t is str:
            data = memoryview(data) if _gc else data.encode()
            t = _TEXT
        elif t is bytes or t is bytearray:
            t = _BINARY
        else:
            return None
        # (6 locals, reused, and the rare cases in _ws_sessionx: this frame fits the C stack;
        # a larger one (over 11 words with the value stack) is allocated on the heap per call)
        f = len(data)  # (in bytes: a str's memoryview here)
        if f < 126 and self.client and self.codec is None:  # a client's small frame (_small
            mx = f  # inlined; a server's is _ws_server._out's), masked with 4 bytes of a
            f = bytearray(mx + 6)  # 64-byte os.urandom block
            f[1] = 128 | mx
            mx = self.ki
            if mx >= 64:
                self.keys = rand(64)
                mx = 0
            self.ki = mx + 4
            f[2:6] = self.keys[mx : mx + 4]
            f[6:] = data
            small(f, 6, len(f), 1)  # (masks with the key before the payload)
            f[0] = 128 | t
        else:  # (over mx, _SMALL or to be compressed: None, send() does it)
            f = None if f > mx else _x().frame_now(self, t, data)
            if f is None:
                return None
        # (Conn.write_now inlined: nobody has the turn, checked above; the stage is OPEN)
        mx = self.c
        t = 0 if mx.closed else mx.s.write(f)
        if t == len(f):
            if callback is not None:
                if _q is not None:  # (done()'s common case)
                    _q.append(callback)
                else:
                    done(callback, None)
            return True
        f = bytes(memoryview(f)[t or 0 :])  # the rest from a task holding the turn (TLS
        mx.wq = []  # wants the same bytes again)
        f = mx.write(f, True)
        f = _x().rest(self, f)
        return _port.spawn(f)

    def close_now(self, code, reason):
        """close() at the call, without a task or coroutine, when the session is open and
        nobody is writing (the common case) -> True: the close frame went out (or its rest
        goes from a task, or the link is broken: the read loop ends with 1006); False: use
        close()."""
        c = self.c
        if self.state or c.wq is not None:
            return False
        self.state = _CLOSING
        d = ws.close_payload(code, reason)
        try:
            r = c.write_now(self._small(_CLOSE, d, len(d), True, False))
            if r is not True:
                _port.spawn(_x().rest(self, r))
        except OSError:
            c.close()
        return True

    # ------------------------------------------------------------------ reading

    async def run(self):
        """The read loop; returns when the connection is closed (the close event is out)."""
        global _q
        p = self.p
        rb = self.rb
        c = self.c
        sock = c.s
        srv = self.owner
        if self.client:
            wait = _port.wait_readable
            now = _port.waiter(sock)
            deliver = srv.on_message
            srv = None
        else:  # (a server's plain sessions wait in its reader, all in one poll: _ws_server)
            now, wait = srv.waiter(sock)
            deliver = srv._m  # (its messageReceive: one generator's send)
        nxt = p.next  # (bound once: no method lookups per frame)
        read = sock.readinto
        q = _Q
        dry = solo = False
        try:
            while True:
                if not rb.end and p.op < 0:  # rb empty, no frame begun: after most messages
                    ev = None
                    mv = rb.mv
                    big = False
                else:  # (no call when rb cannot hold a frame header)
                    ev = nxt(rb) if rb.end - rb.start > 1 or p.op >= 0 else None
                    if ev is None:
                        mv = None
                        if rb.start == rb.end and p.op >= 0:
                            mv = p.direct()
                            if mv is not None and len(mv) < 1024:
                                mv = None
                        big = mv is not None  # a big payload: read into the message, no copy
                        if not big:
                            mv = rb.mv if not rb.end else rb.space()
                if ev is None:
                    # Conn.readinto inlined: no coroutine per read. A wait blocks in
                    # wait_now where the loop has nothing else to do (solo: no trip through
                    # it); then a read that got less than it asked (readinto reads until
                    # EAGAIN: the socket is empty) is followed by a wait, not a read that
                    # would only say EAGAIN (dry)
                    while True:
                        if dry and not c.closed:
                            dry = False
                        else:
                            n = 0 if c.closed else read(mv)
                            if n is not None:
                                break
                        solo = now(1000)
                        if not solo:  # (None: a server's plain session, which its reader
                            solo = await wait(sock) or solo is None  # resumes when readable;
                            if solo and (rb.end or p.op >= 0):  # its quick path may have
                                n = -1  # read for it and left bytes or a begun frame)
                                break
                    if n == -1:
                        continue  # (parsed from the loop's top, mv made again there)
                    dry = solo and n < len(mv)
                    if not n:
                        raise OSError(0, "connection closed by the peer")
                    self.act = True  # (the server's idle task pings only silent clients)
                    if big:
                        mv = None  # (a view of the message: not held while it is inflated)
                        ev = p.took(n)
                    else:
                        rb.end += n  # (rb.wrote without the call: n fits, readinto says)
                        ev = nxt(rb)
                    if ev is None:
                        continue
                op = ev[0]
                if op < 0:  # a large message (ws.Parser's (-1, n)): a client's read in by
                    # _ws_sessionx, a server's buffer made next, with _ws_sessionx loaded
                    ev = _x()  # (recv: a name the firmware has, none new)
                    ev = ev.recv(self) if self.client else None
                    if ev is None:
                        continue
                    op = ev[0]
                if op < 8:  # a message
                    if self.state:
                        continue  # closing: messages are dropped
                    if srv is None:
                        _q = q
                        try:
                            deliver(self, ev[1])
                        finally:
                            _q = None
                    else:  # the server's messageReceive (_ws_server: its _deliver)
                        srv._cur = self  # (whose message; send()'s first guess for a reply)
                        ev = deliver(ev[1])  # (the message in the call's second stack slot,
                        # which the next line reuses: left over in a third, it was held
                        # through the collection below, and a 64 KiB echo found no room)
                        if ev is not None:
                            raise ev  # out of memory delivering it (see _ws_server._deliver)
                    if q:  # the callbacks of sends from the listener (see done())
                        for cb in q:
                            try:
                                cb(None, True)
                            except Exception as e:
                                _aw.report(e, "result")
                        q.clear()
                    _F + _F  # (_aw.nudge inlined: the listeners' frames are freed by now)
                    ev = None  # not the last message alive while the next one is built
                    if p.size > _GC_OVER and _gc:
                        p.size = 0
                        _gc()
                elif op == _CLOSE:  # the peer's: echo its code (RFC 6455 §5.5.1)
                    if self.state == _OPEN:
                        await _x().close(self, None if ev[1] == 1005 else ev[1])
                    if self.client:
                        await self._drain()  # the server closes TCP first (RFC 6455 §7.1.1)
                    self._finish(1000 if ev[1] == 1005 else ev[1], ev[2])
                    return
                elif op == _PING:
                    await _x().control(self, ws.PONG, ev[1])
                else:
                    self.pong_due = False
        except ws.ProtocolError as e:
            await _x().fail(self, e.code, e.msg)
        except MemoryError:
            mv = p.msg = None  # (the message it interrupted: not kept by this frame, nor
                               # by the parser of a session something still holds)
            await _x().fail(self, 1009, None)  # (None: "out of memory", _ws_sessionx's)
        except OSError as e:
            try:  # (guarded: reporting may itself run out of memory)
                self.owner.on_error(self, "connection lost: %s" % e)
            except Exception:
                pass
            self._finish(1006, "The link is down")
        except _port.CancelledError:
            self._finish(1006, "The link is down")
            if not self.lost:
                raise
        finally:
            _q = None
            self._finish(1006, "The link is down")

    async def _drain(self):
        # read and drop until the peer closes the connection, or _CLOSE_WAIT_MS
        self._tmo = False
        dog = _aw.watch(_CLOSE_WAIT_MS, self, "_tmo")
        c = self.c
        mv = self.rb.mv
        try:
            while True:
                n = c.read_now(mv)  # (no coroutine per read)
                if n is None:
                    await _port.wait_readable(c.s)
                elif not n:
                    break
        except _port.CancelledError:
            if not self._tmo:
                raise
        except OSError:
            pass
        finally:
            _aw.unwatch(dog, self, "_tmo")

    def _finish(self, code, reason):
        if self.state == _CLOSED:  # (only here: once)
            return
        self.state = _CLOSED
        if self.pinger is not None:
            _port.drop_sleeper(self.pinger)  # not cancel(): see _aw.unwatch
            self.pinger = None
        self.c.close()
        self.owner.on_close(self, code, reason)

    # ------------------------------------------------------------------ keep-alive

    async def _pings(self, interval, timeout):
        # (ms) the owner's task (self.pinger) for a ping every interval, unless one is open
        try:
            while self.state == _OPEN:
                await _port.sleep_ms(interval)
                if self.state != _OPEN:
                    return
                self.pong_due = True
                await _x().control(self, ws.PING)
                await _port.sleep_ms(timeout)
                if self.pong_due and self.state == _OPEN:
                    _x().drop(self, timeout)
                    return
        except OSError:
            pass
