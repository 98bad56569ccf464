# What a webSocket session (_ws_session.Session, passed as s) of small messages that
# closes normally never runs, loaded on first use as _ws_clientx is for the client: send()'s
# argument checks, messages over 1010 B and fragments (a client's masked through a
# temporary buffer), stored deflate blocks over several frames, pings and pongs (the
# client's pinger stays in Session._pings), a close frame written under the connection's
# turn (the peer's close, a protocol failure, a close while someone writes), the rest of a
# frame the socket did not take at once. Apart, the 64 B echo of bench/ws_ram.py carries
# ~0.8 KB less heap from ROMFS.
import os
import sys
from ._err import BusinessError, param
from . import _port
from .proto import ws

FRAGMENT = 65536         # messages larger than this go out in frames of this size
_SMALL = const(1010)     # frames with payloads up to this are built whole (Session._small)
# larger payloads: masked through a temporary buffer of n + 14 bytes, at most _BIG (a
# quarter, or less, when the heap has no such block): 16 KiB, or 1/16 of the heap free when
# this module loads where that is more (a whole 64 KiB frame from ~1 MB free). Each write
# wakes the peer: a CPython peer reading a 64 KiB frame in 16 KiB pieces spent 92 us of CPU
# on its echo, 67 us on one write (bench/ws_run.py, one CPU: 0.80x -> 0.99x raw)
_BIG = max(16384, (_port.mem_free() or 0) >> 4)
_OPEN = const(0)         # Session.state
_TEXT = const(1)         # ws.TEXT
_E_OTHER = const(2302999)
_CLOSING = const(1)
# MicroPython exposes a str's UTF-8 bytes as a buffer: a text goes out without a copy
_MPY = sys.implementation.name == "micropython"


def recv(s):
    # the read loop's large message (a client's: proto.ws.Parser's (-1, n) event) -> its
    # event from _ws_big, where the fast way may not fit the heap: a one-frame text with
    # less than twice its size + 16 KB free (its buffer and its str), a compressed text
    # (from 1 KiB) with less than 256 KB or 40 times its size so far (its inflated size is
    # not known, and a text's is often 5-30 times: the fast way holds it, its copy and the
    # output, 2c + t; 128 KiB json, 5 KB compressed, did not fit 192k's 140 KB run), the
    # others (a fragmented text, a compressed binary from 16 KiB: binary data compresses
    # little) with less than 16 times their size so far. Else None: go on the fast way, a
    # buffer (_ws_big pulls a byte per call through DeflateIO: ~0.2 us a compressed byte
    # on x64, a collection and the largest block's search a message)
    p = s.p
    q = p.msg
    n = p.left if q == 0 else p.mlen
    f = _port.mem_free()  # (None: CPython)
    if f is None or f >= (max(40 * n, 262144) if p.z and p.mop == _TEXT else
                          2 * n + 16384 if q == 0 and not p.z else 16 * n):
        if q == 0:
            p.msg = bytearray(n)
        return None
    # the last messages' garbage freed first: _ws_big.recv's frame (over 11 words: on the
    # heap) and its objects then go low, not amid the run the message's block needs (made
    # amid the garbage they cut it: at 192k .mpy a 64 KiB message in 256 B fragments after
    # another had 64.5 KB, Autobahn 12.x.14)
    import gc
    gc.collect()
    from ._ws_big import recv
    return recv(s, control)


def check_data(data, mx, callback=None):
    """send()'s argument checks (client and server), at the call: 401 -> the payload's
    bytes: a text's UTF-8 (on MicroPython a memoryview of the str: no copy, and its length
    in bytes without counting characters), else data itself (so `b is not data`: text)."""
    if callback is not None and not callable(callback):
        raise param("callback must be a function")
    if type(data) is str:
        b = memoryview(data) if _MPY else data.encode()
    elif isinstance(data, (str, bytes, bytearray, memoryview)):
        b = data
    else:
        raise param("data must be a string or an ArrayBuffer")
    if len(b) > mx:
        raise param("data over %d bytes" % mx)
    return b


async def send_op(s, data, r, code):
    # the facades' send() where Session.send_now did not put it out at the call: r, its
    # coroutine for the rest of a frame the socket took part of, else send(). A session
    # gone or closing -> BusinessError(code) (client -1, server 2302006)
    if r is None and (s is None or s.state != _OPEN):
        raise BusinessError(code)
    try:
        r = await (r or send(s, data))
    except OSError:
        raise BusinessError(code)
    data = None
    _sent(s, r)  # (two arguments: their slots cover the one send(s, data) left the message in)
    return True


def _sent(s, n):
    # n: the size of a message just written by send(): over _BIG (at 192k: 16 KiB) its
    # garbage is collected now, before the peer's next message comes. Made amid it, that
    # message's first pieces landed in the freed tail of this one's block and cut the run
    # the next block needed (Autobahn 12.x.15 at 192k: 128 KiB in 256 B fragments)
    if n and n > _BIG and _MPY:
        import gc
        gc.collect()


async def close_op(s, a, code):
    # the facades' close() where Session.close_now could not write at the call; a: the
    # (code, reason) of _ws_session.close_args. No open session -> BusinessError(code): the
    # client's 2302999 with its text here (the server's 2302006 has its own)
    if s is None or s.state != _OPEN:
        raise BusinessError(code, "no open WebSocket to close" if code == _E_OTHER else None)
    await close(s, a[0], a[1])
    return True


def frame_now(s, op, data):
    # Session.send_now's frame of 126-_SMALL bytes or for a codec (one stored block) -> it;
    # None: larger, or to be compressed (send() does it)
    n = len(data)
    cd = s.codec
    if n > _SMALL or cd is not None and cd.compress and n > 32:
        return None
    if cd is None:
        return s._small(op, data, n, True, False)
    parts = cd.stored(memoryview(data), 0)[0]
    n = 0
    for p in parts:
        n += len(p)
    return s._small(op, None, n, True, True, parts)


async def rest(s, w):
    # w: the write of the rest of a frame (Session.send_now, close_now), under the turn
    try:
        await w
    except OSError:
        s.c.close()  # the link is broken: the read loop ends with 1006
    finally:
        s.c._next()


# A message takes the connection's writers' turn (await s.c.turn()) and keeps it over all
# its frames (its fragments, a stored block's parts, a masked payload's chunks) until
# s.c._next(): the same queue Conn.write and write_now use, so frames of two messages
# never mix and messages go out in the order of the calls. Writes meanwhile pass held=True.
async def frame(s, op, data, fin=True, z=False):
    """One frame whose payload is data (bytes-like) or a tuple of bytes-like parts.
    Caller holds the turn (s.c.turn())."""
    parts = data if type(data) is tuple else (data,)
    n = 0
    for p in parts:
        n += len(p)
    c = s.c
    if n <= _SMALL:  # one write
        await c.write(s._small(op, None, n, fin, z, parts), True)
        return
    if not s.client:
        hb = bytearray(24)  # a frame header (10) and a stored block's head (5)
        hl = ws.head(hb, op, n, fin, None, z)
        i = 0
        if len(parts[0]) <= 8:  # a small first part (a stored block's head) goes along
            k = len(parts[0])
            hb[hl : hl + k] = parts[0]
            hl += k
            i = 1
        await c.write(memoryview(hb)[:hl], True)
        for p in parts[i:]:
            await c.write(p, True)
        return
    # mask keys: 4 bytes of a 64-byte block of os.urandom, one syscall per 16 frames
    i = s.ki
    if i >= 64:  # (_ws_session.rand: the port's random_bytes, else os.urandom)
        f = _port.__dict__.get("random_bytes")
        s.keys = f(64) if f else os.urandom(64)
        i = 0
    s.ki = i + 4
    key = memoryview(s.keys)[i : i + 4]
    # the payload masked through a temporary buffer, written as it fills. Where _BIG is
    # over 16 KiB (the heap is large) the session keeps it as its scratch buffer for the
    # next frames: a 64 KiB echo allocated, zeroed and swept 64 KiB less per round trip
    # (callgrind 1,286k -> 1,061k instructions)
    size = min(n + 14, _BIG)
    b = s.scratch  # (a small heap's: 1 KiB at most, below any size here)
    if b is None or len(b) < size:
        while True:
            try:
                b = bytearray(size)
                break
            except MemoryError:  # a tight heap: a smaller one, more writes
                if size <= 256:
                    raise
                size >>= 2
        if _BIG > 16384:
            s.scratch = b
    a = ws.head(b, op, n, fin, key, z)
    bv = memoryview(b)[:size]
    off = 0
    for p in parts:
        mv = memoryview(p)
        m = len(mv)
        j = 0
        while j < m:
            k = min(m - j, size - a)
            bv[a : a + k] = mv[j : j + k]
            ws.mask(b, a, a + k, key, off)
            a += k
            off += k
            j += k
            if a == size:
                await c.write(bv, True)
                a = 0
    if a:
        await c.write(bv[:a], True)


async def send(s, data):
    """A text (str) or binary message, of any size -> its size in bytes (sent)."""
    if isinstance(data, str):
        op = ws.TEXT
        data = memoryview(data) if _MPY else data.encode()
    else:
        op = ws.BINARY
    cd = s.codec
    z = False
    if cd is not None and cd.compress and len(data) > 32:
        data = cd.deflate(data)
        z = True
    await s.c.turn()
    try:
        if s.state != _OPEN:
            raise OSError(32, "the WebSocket is closing")
        mv = memoryview(data)
        n = len(mv)
        if cd is not None and not z:
            # agreed, no compressor (or a tiny message): stored blocks, one per frame
            off = 0
            while True:
                parts, e = cd.stored(mv, off)
                await frame(s, op if not off else ws.CONT, parts, e == n, not off)
                if e == n:
                    return n
                off = e
        if n <= FRAGMENT:
            await frame(s, op, mv, True, z)
            return n
        off = 0
        while off < n:
            e = min(off + FRAGMENT, n)
            await frame(s, op if not off else ws.CONT, mv[off:e], e == n, z and not off)
            off = e
        return n
    finally:
        s.c._next()


async def control(s, op, data=b""):
    # a ping or pong (the server's idle task pings with control(s, 9)); a broken link is
    # the read loop's to report
    try:
        await s.c.turn()
        try:
            if s.state == _OPEN:
                await frame(s, op, data)
        finally:
            s.c._next()
    except OSError:
        pass


async def close(s, code=1000, reason=""):
    """Start the close handshake (the read loop finishes it). Also the read loop's answer
    to the peer's close (code None: no status) and its close after the peer broke the
    protocol. -> False: the session was closing already."""
    await s.c.turn()
    try:
        if s.state != _OPEN:  # (also: closed by another while waiting for the turn)
            return False
        s.state = _CLOSING
        try:
            await frame(s, ws.CLOSE, ws.close_payload(code, reason))
        except OSError:
            s.c.close()  # the link is gone: the read loop ends with 1006
    finally:
        s.c._next()
    return True


async def fail(s, code, msg):
    """The peer broke the protocol: report, close with `code`, wait for its close. msg None:
    out of memory (its text here: not a constant of the session's path)."""
    if msg is None:
        msg = "out of memory"
    try:
        s.owner.on_error(s, msg)
    except Exception:
        pass
    await close(s, code, msg)
    if s.client:
        await s._drain()  # until the server closes TCP (RFC 6455 §7.1.1), at most 3 s
    elif not s.p.done:  # (done: the peer's close came, broken: no reply is coming)
        # A server reads and drops what the peer sends until it closes TCP or sends nothing
        # for 500 ms (its close frame came, or none is coming), at most 3 s; then it closes
        # TCP first (RFC 6455 §7.1.1). Read first: closed with unread data, TCP resets,
        # which may destroy the close frame in flight. Not Session._drain's wait for the
        # peer's TCP close: a client that answers and waits for the server to close
        # (websockets, browsers) held the connection 3 s. (Here, not a function of its
        # own: no function object or global in a ROMFS heap, test_ws_server at 110k.)
        import time
        from ._err import watch, unwatch
        c = s.c
        mv = s.rb.mv
        end = time.ticks_add(time.ticks_ms(), 3000)
        dog = None
        s._tmo = False
        try:
            while True:
                n = c.read_now(mv)
                if n is None:
                    n = min(500, time.ticks_diff(end, time.ticks_ms()))
                    if n <= 0:
                        break
                    dog = watch(n, s, "_tmo")
                    await _port.wait_readable(c.s)
                    unwatch(dog, s, "_tmo")
                    dog = None
                elif not n:
                    break
        except _port.CancelledError:
            if not s._tmo:
                raise
        except OSError:
            pass
        finally:
            if dog is not None:
                unwatch(dog, s, "_tmo")
    s._finish(code, msg)


def drop(s, ms):
    # no pong within ms: report, and end the read loop (the close event says 1006)
    try:
        s.owner.on_error(s, "no pong within %d ms" % ms)
    except Exception:
        pass
    s.lost = True
    s.pinger = None
    if s.task is not None:
        s.task.cancel()
