# @ohos.net.webSocket server (createWebSocketServer), loaded on first use. A Listener from
# the transport, the upgrade handshake (proto.wssrv on http1's request parser), one
# _ws_session.Session per client. Slots are protected: a handshake must complete within
# HANDSHAKE_MS, a client that answers no ping within IDLE_MS is dropped, the configured
# limits (clients in all, connections per client IP) are enforced, and OpenHarmony's
# anti-abuse rule bans an IP that opens more than 50 connections in 60 s, for 60 s.
from ._err import Emitter
from ._err import BusinessError, param
from . import _aw, _port
from . import _ws_session
from ._ws_session import close_args, done

callable = callable  # (a builtin as a module global: found at once, see _ws_session)
# While a listener of this module's servers runs, _k[0] is the list the callbacks of its
# send() and close() calls wait in (_ws_session._Q), run when it returns; else None. (A
# list's item: the delivery sets it twice a message, a list store being ~1/3 of a module
# attribute's; and here, not in _ws_session, whose client pays no list for it)
_k = [None]


def _done(callback, what):
    # _ws_session.done() for a server's listener: its callback waits in _k[0]
    q = _k[0]
    if callback is None or q is None:
        return done(callback, what)
    q.append(callback)


_RESOLVE = const(0)  # transport's stage
_E_CERT = const(2302002)
_E_NIC = const(2302004)
_E_PORT = const(2302005)
_E_NOCONN = const(2302006)
_E_BUSY = const(2302007)
_E_OTHER = const(2302999)
_EADDRINUSE = (98, 112, 48)   # Linux, lwIP, BSD

HANDSHAKE_MS = 10000   # the request head must be in within this
IDLE_MS = 60000        # ping a silent client after this; drop it if no pong within it again
MAX_MESSAGE = 5 << 20
SEND_LIMIT = 5242864
HEAD_BUF = 1024        # request heads larger than this -> 431 (the session keeps its buffer:
                       # 512 B, grown to this only for a longer head)
# anti-abuse (OpenHarmony): more than BAN_COUNT connections from one IP within BAN_WINDOW_MS
# puts it on a ban list for BAN_MS. Config key `antiAbuse`: false, or {count, windowMs, banMs}.
BAN_COUNT = 50
BAN_WINDOW_MS = 60000
BAN_MS = 60000


def _start_args(config):
    # start()'s argument checks (401), at the call; address and port errors come later
    if not isinstance(config, dict):
        raise param("config must be an object")
    mc = config.get("maxConcurrentClientsNumber", 10)
    mo = config.get("maxConnectionsForOneClient", 10)
    for v in (mc, mo):
        if not isinstance(v, int) or not 0 < v <= 10:
            raise param("maxConcurrentClientsNumber and maxConnectionsForOneClient: 1..10")
    proto = config.get("protocol")
    if proto is not None and not isinstance(proto, str):
        raise param("protocol must be a string")
    return mc, mo, proto


def _ip_ok(s):
    if ":" in s:
        ps = s.split(":")
        if len(ps) > 8 or "" in ps[1:-1] and s.count("::") != 1:
            return False
        for p in ps:
            if len(p) > 4:
                return False
            for ch in p:
                if ch not in "0123456789abcdefABCDEF":
                    return False
        return True
    ps = s.split(".")
    if len(ps) != 4:
        return False
    for p in ps:
        if not p.isdigit() or len(p) > 3 or int(p) > 255:
            return False
    return True


# The reader: one task that serves every plain (ws://) session of the process whose socket
# is ready, per wake-up, from one poll over all their sockets (as a raw select.poll server
# does), instead of asyncio waking each session's task for each message (~16-19k
# instructions). A session's read loop (Session.run, unchanged) waits through _wait: its
# task is then parked (on none of asyncio's queues, Task.data = _L, so that cancel() takes
# it off and asyncio runs it), and the reader resumes its coroutine itself, as asyncio
# would, when its socket is readable. Where the session awaits anything else (a write that
# would block, the close handshake), asyncio has its task again until its next _wait.
# The reader also waits for what asyncio waits on (the accepting socket, writers): their
# sockets join its poll, and the loop runs its other tasks when they are ready or due.
# A TLS session waits on its own (asyncio's poller): mbedTLS may hold bytes the poll
# cannot see.
_P = None   # select.poll: the parked sessions' sockets
_M = {}     # socket -> its parked Session (its task: .task)
_L = []     # the parked tasks
_R = None   # the reader's task while it runs
_C = None   # asyncio.core (WebSocketServer.waiter)
_S = {}     # socket -> its plain Session


def _wait(sock):
    # Session.run()'s wait (`await _wait(sock)`): the task parks (at its first wait, or after
    # a wait of asyncio's) and the await yields once, to asyncio the first time, then to the
    # reader, which resumes the task when sock is readable. (A plain function awaited through
    # a constant one-item tuple: no generator made per wait. A parked task that asyncio
    # cancels leaves through its read loop's end, whose on_close unparks it)
    global _P, _R
    t = _C.cur_task
    if t.data is not _L:  # asyncio runs t (its first wait, or after a wait of asyncio's)
        if _P is None:
            import select
            _P = select.poll()
        _P.register(sock, 1)  # select.POLLIN
        _M[sock] = _S[sock]
        _L.append(t)
        t.data = _L
        if _R is None:
            _R = _port.spawn(_reader())
    return (None,)


def _reader():
    global _R
    import time
    core = _C
    tq = core._task_queue
    peek = tq.peek
    push = tq.push
    m = core._io_queue.map
    me = core.cur_task
    p = _P
    reg = p.register
    unreg = p.unregister
    ipoll = p.ipoll
    M = _M
    L = _L
    ms = time.ticks_ms
    df = time.ticks_diff
    sm = _ws_session.small  # (proto.ws's: the quick path's frames unmasked, ASCII told)
    sr = str
    ba = bytearray
    x = []  # asyncio's sockets in this round's poll (not sessions')
    z = []  # sessions' sockets in it too (a writer waits on one)
    y = []  # the sessions that left the reader in this round
    d = True  # asyncio may have changed its waits: x and z are to be made again
    ki = False  # Ctrl-C or out of memory ended this reader: a new one for the parked sessions
    w = None  # the task whose bytes the quick path reads and parses
    try:
        while M:
            n = -1
            t = peek()
            if t is not None:  # a task due: the loop runs it first
                n = df(t.ph_key, ms())
                if n <= 0:
                    push(me)
                    yield
                    d = True
                    continue
            if d:  # (else the same as the last round's: only asyncio's loop changes them)
                d = False
                for s in x + z:  # (a socket of asyncio's may have joined the reader since)
                    if s in M:
                        reg(s, 1)
                    else:
                        unreg(s)
                x.clear()
                z.clear()
                for k in m:  # (no allocation: a dict's keys)
                    t = m[k]
                    s = t[-1]
                    if s in M:
                        reg(s, 5 if t[-2] is not None else 1)  # select.POLLIN | POLLOUT
                        z.append(s)
                    else:
                        reg(s, (1 if t[0] is not None else 0) | (4 if t[-2] is not None else 0))
                        x.append(s)
            o = False  # one of asyncio's is ready: its loop runs after this round
            for s, e in ipoll(n):
                c = M.get(s)
                if e != 1 or c is None:  # (1: select.POLLIN, a session's)
                    if c is None or e & 4:
                        o = True
                    if c is None or e == 4:
                        continue
                t = c.task
                if t.data is not L:  # (cancelled meanwhile: asyncio runs it)
                    continue
                r = None
                b = c.rb
                f = c.p
                if not c.state and not b.end and f.op < 0 and not f.mop:
                    # The quick path (a raw select.poll server's): the reader reads for a
                    # session with nothing pending and hands each whole small text or binary
                    # frame to the server's delivery itself; anything else (a control or
                    # partial frame, the peer's EOF) is left to the session's read loop,
                    # resumed below with rb holding it, and so is an exception (thrown in
                    # at its wait: out of memory, invalid UTF-8 or a reset close there as
                    # in Session.run). Nothing of the session's is written while all of a
                    # read is delivered (rb stays empty, core.cur_task the reader's)
                    try:
                        u = b.mv
                        w = t  # (whose bytes these are, for Ctrl-C: see below)
                        k = s.readinto(u)
                        if k is None:  # (nothing after all)
                            w = None
                            continue
                        a = 0
                        if k:
                            c.act = True
                            v = c.owner
                            # whole frames as Parser.next's quick path takes them (inlined:
                            # no call, no event tuple): FIN text or binary, masked, < 126
                            # bytes, within the limit; the rest is left to the session
                            while not c.state and k - a > 1:
                                e = u[a]
                                if (e - 129) >> 1:  # (not 129 or 130: FIN text or binary)
                                    break
                                n = u[a + 1] ^ 128  # (the payload's length, the mask bit
                                if n > 125 or n > f.max:  # set; else over 127)
                                    break
                                n += a + 6
                                if k < n:
                                    break
                                a += 6
                                if sm(u, a, n, 128) and e == 129 and _ws_session.ws.utf8(u, a, n, 0):
                                    # (ws: invalid UTF-8 in a text message)
                                    raise _ws_session.ws.ProtocolError(1007, 13)
                                e = sr(u[a:n], "utf-8") if e == 129 else ba(u[a:n])
                                a = n
                                v._cur = c  # (as Session.run: whose message)
                                e = v._m(e)  # (no _aw.nudge as in Session.run: most
                                # objects here take one block, the next message's slice
                                # first, into the send's freed frame; the heap rows pass
                                # from the same heaps with or without it)
                                if e is not None:
                                    raise e  # (out of memory delivering it: see _deliver)
                                e = None  # (no collection: the quick path's messages are
                                          # in rb, not in a buffer of the parser's: size 0)
                                if a >= k:
                                    break
                            if a >= k:
                                w = None
                                continue  # all delivered: the session stays parked
                            b.start = a  # the rest for the session's read loop (rb.wrote)
                            b.end = k
                        w = None
                    except Exception as e:
                        w = None
                        r = e
                core.cur_task = t  # (what asyncio's waits and current_task() read)
                try:
                    if r is None:
                        t.coro.send(None)
                    else:
                        t.coro.throw(r)
                except Exception as e:  # the session's task ended here (StopIteration)
                    t.data = None
                    t.state = False  # (done: nobody awaits a session's task)
                    if not isinstance(e, StopIteration):
                        try:  # (reporting may run out of memory: the reader goes on)
                            _aw.report(e, "webSocket server")
                        except MemoryError:
                            pass
                core.cur_task = me
                if t.data is not L:  # it went to asyncio (a wait of its own) or ended
                    y.append(s)
            if y:
                d = True  # (a session that left may have left a wait with asyncio)
                for s in y:
                    c = M.pop(s, None)  # (None: the session ended, on_close took it)
                    if s in z:
                        z.remove(s)
                    unreg(s)
                    if c is not None and c.task in L:
                        L.remove(c.task)
                y.clear()
            if o:
                push(me)
                yield
                d = True
    except KeyboardInterrupt as e:  # Ctrl-C stops the loop. The sessions still parked go on
        ki = True  # at its next run, but one whose bytes the quick path was reading or
        t = w or core.cur_task  # parsing (w: a frame maybe half unmasked), or whose step
        if t is not me and t in L:  # the reader ran: it ends as if interrupted there
            try:
                t.coro.throw(e)
            except BaseException:
                pass
            t.data = None
            t.state = False
        raise
    except MemoryError:  # in its own work (a list grown, a poll registration): it ends here,
        ki = True  # and a new reader serves the sessions (a session's own MemoryError ends
        # in its read loop: 1009)
    finally:  # (no session left, Ctrl-C, or out of memory)
        core.cur_task = me
        for s in x + z:
            if s in M:
                reg(s, 1)
            else:
                unreg(s)
        _R = _port.spawn(_reader()) if ki and M else None


def _stop(e):
    # Ctrl-C in a listener of the server's: the listener is interrupted and the loop stops at
    # its next turn, where a task raises e; neither this delivery (one generator for all the
    # server's sessions) nor the session whose message it was ends with it
    async def r():
        raise e
    _port.spawn(r())


class WebSocketServer(Emitter):
    EVENTS = ("connect", "messageReceive", "close", "error")

    def __init__(self):
        self._l = None          # Listener while started
        self._task = None
        self._conns = []        # [connection dict, Session or None (handshaking)]
        self._seen = {}         # ip -> [ticks_ms of recent connections]
        self._banned = {}       # ip -> ticks_ms when the ban ends
        self._cfg = None
        self._idle = None       # the task pinging the clients
        self._cur = None        # the Session that delivered the last message (see send)
        self._m = self._deliver().send  # messageReceive (Session.run's, the reader's)
        self._m(None)
        self._o = self._out().send  # send()'s common case
        self._o(None)

    # -------------------------------------------------------------- API

    def start(self, config, callback=None):
        """Bad arguments raise BusinessError(401) here, at the call."""
        a = _start_args(config)
        return _aw.call(self._start(config, a), callback, _E_OTHER)

    def stop(self, callback=None):
        return _aw.call(self._stop(), callback, _E_OTHER)

    def send(self, data, connection, callback=None):
        # (no try and no more locals: an 11-word frame, on the C stack; over 11 words a
        # call's frame is a heap allocation. The common case is _out's, the rest _send's)
        s = self._cur  # a reply from the messageReceive listener: that message's session
        if s is None or s.ref is not connection:  # (else the last one sent to, kept)
            s = self._cur = self._find(connection)
            if s is None:
                return self._send(data, callback, False)
        if callback is not None and not callable(callback):
            return self._send(data, callback, False)  # (its 401)
        s = self._o(data)  # the common case: out now, no task
        if s is not True:
            return self._send(data, callback, s)
        if callback is None:
            return done(None, "send")
        s = _k[0]  # (_done()'s common case: the listener's, run after it returns)
        if s is None:
            return done(callback, None)
        s.append(callback)

    def _send(self, data, callback, r):
        # send() where _out did not put it out at the call. r: None, not tried there
        # (send_now tries: over 125 bytes, compressed, a writer, closing); an exception
        # from it (out of memory, Ctrl-C): raised here; else False (no such connection, or
        # the write raised OSError) or the task writing the rest of a frame the socket took
        # part of. A bad argument raises 401 here, the rest goes through a task
        # (_ws_sessionx.send_op)
        if r is None:
            try:
                r = self._cur.send_now(data, None)  # (the callback: _done's, see _k)
            except OSError:
                r = False  # (send_op meets it again and reports it)
            if r is True:
                return _done(callback, "send")
        elif isinstance(r, BaseException):
            raise r
        x = _ws_session._x()
        x.check_data(data, SEND_LIMIT, callback)  # 401 for a bad argument
        return _aw.call(x.send_op(self._cur, data, r or None, _E_NOCONN), callback, _E_OTHER)

    def _out(self):
        # send()'s common case, a generator resumed with the data (its session in _cur; a
        # frame each call would be a heap allocation with this try): send_now's for a
        # server, a frame of up to 125 bytes out at once when the session is open, nobody
        # is writing and nothing is compressed, with the builtins as locals -> True: out;
        # None: not tried; False: the write raised OSError; a task: it writes the rest (the
        # socket took part); an exception (out of memory, Ctrl-C): for send() to raise,
        # this generator going on (see _send)
        W = _ws_session
        ty = type
        S = str
        B = bytes
        A = bytearray
        ln = len
        mv = memoryview if W._gc else S.encode  # (a str's UTF-8 bytes; CPython: a copy)
        f = A(127)  # the frames, one after another (its length set by the payload's slice)
        x = None
        while True:
            d = s = c = None  # (nothing of a message held until the next)
            d = yield x
            x = None
            try:
                s = self._cur
                c = s.c
                if s.state or c.wq is not None or s.codec is not None:
                    continue
                t = ty(d)
                if t is S:
                    d = mv(d)
                    t = 129  # FIN text
                elif t is B or t is A:
                    t = 130  # FIN binary
                else:
                    continue
                n = ln(d)
                if n > 125:
                    continue
                f[0] = t
                f[1] = n
                f[2:] = d
                try:
                    t = 0 if c.closed else c.s.write(f)
                except OSError:
                    x = False
                    continue
                if t == n + 2:
                    x = True
                    continue
                # the rest from a task holding the turn (send_now's; TLS wants the same
                # bytes again)
                c.wq = []
                x = _port.spawn(W._x().rest(s, c.write(B(memoryview(f)[t or 0 :]), True)))
            except BaseException as e:
                x = e

    def close(self, connection, options=None, callback=None):
        if callable(options) and callback is None:
            options, callback = None, options
        a = close_args(options, "")
        s = self._find(connection)
        if s is not None and s.close_now(a[0], a[1]):  # the common case: out now, no task
            return _done(callback, "close")
        return _aw.call(_ws_session._x().close_op(s, a, _E_NOCONN), callback, _E_OTHER)

    def listAllConnections(self):
        return [e[0] for e in self._conns if e[1] is not None and e[1].state == 0]

    def _deliver(self):
        # messageReceive for each message of this server's sessions (Session.run's and the
        # reader's): a generator resumed with the message (its session in _cur), not a
        # function, whose frame with these try blocks would be a heap allocation per call
        # Out of memory in it (the event's dict, a report) is yielded back for the caller
        # to raise, so that it closes that message's session (1009): raised here, it would
        # end the generator, and every later message of every session with it
        W = _ws_session
        q = W._Q
        r = _k
        k = self.EVENTS[1]  # (the key Emitter.on stored: found by its pointer)
        ln = len
        x = None
        while True:
            d = yield x
            x = None
            try:
                try:
                    e = self._ls[k]
                except (KeyError, TypeError):  # none (TypeError: no listener at all)
                    e = None
                if e is not None:
                    d = {"clientConnection": self._cur.ref, "data": d}
                    r[0] = q  # send()'s callbacks wait for the listener's end (see done())
                    try:
                        if ln(e) == 1 and not e[0][1]:  # (Emitter._emit's common case)
                            e[0][0](d)
                        else:
                            self._emit("messageReceive", d)
                    except KeyboardInterrupt as e:  # (Ctrl-C in the listener: see _stop)
                        _stop(e)
                    except Exception as e:  # (a listener's MemoryError too: reported)
                        _aw.report(e, "messageReceive")
                    r[0] = None
                if q:  # the callbacks of sends from the listener
                    for e in q:
                        try:
                            e(None, True)
                        except Exception as e:
                            _aw.report(e, "result")
                        except KeyboardInterrupt as e:
                            _stop(e)
            except MemoryError as e:
                r[0] = None
                x = e
            if q:
                q.clear()
            d = e = None

    # -------------------------------------------------------------- start / stop

    async def _start(self, config, a):
        mc, mo, proto = a
        if self._l is not None:
            raise BusinessError(_E_OTHER, "the server is already started")
        ip = config.get("serverIP", "0.0.0.0") or "0.0.0.0"
        if not isinstance(ip, str) or not _ip_ok(ip):
            raise BusinessError(_E_NIC)
        port = config.get("serverPort")
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise BusinessError(_E_PORT)
        ctx = None
        cert = config.get("serverCert")
        if cert:
            from .transport import tls
            try:
                c, k = tls.cert_key(cert)
            except (OSError, KeyError, IndexError, TypeError, ValueError):
                raise BusinessError(_E_CERT, "serverCert files cannot be read")
            try:
                ctx = tls.context(True, None, False, c, k)
            except Exception as e:
                raise BusinessError(_E_CERT, "serverCert rejected: %s" % e)
        ab = config.get("antiAbuse", True)
        if ab is True:
            ab = (BAN_COUNT, BAN_WINDOW_MS, BAN_MS)
        elif isinstance(ab, dict):
            ab = (ab.get("count", BAN_COUNT), ab.get("windowMs", BAN_WINDOW_MS),
                  ab.get("banMs", BAN_MS))
        else:
            ab = None
        from .transport.listen import Listener
        from .transport import NetError
        try:
            self._l = Listener(ip, port, 8)
        except NetError as e:
            if e.stage == _RESOLVE:
                raise BusinessError(_E_NIC, e.text)
            if e.code in _EADDRINUSE:
                raise BusinessError(_E_BUSY, e.text)
            raise BusinessError(_E_NIC, e.text)
        self._cfg = (mc, mo, proto, ctx, ab, config.get("maxMessageSize", MAX_MESSAGE),
                     config.get("permessageDeflate", True))
        # the handshake's code now, and a collection after it (MicroPython): loaded by the
        # first client instead, it lands amid that client's buffers and cuts a small heap
        # into holes (4 clients at 110k from .mpy failed a handshake about 1 run in 8)
        from .proto import wssrv  # noqa: F401
        if _ws_session._gc:
            _ws_session._gc()
        _aw.hold()  # a started server keeps netstack.run() going until stop()
        self._task = _port.spawn(self._accept_loop(self._l))
        self._idle = _port.spawn(self._pings())
        return True

    async def _stop(self):
        if self._l is None:
            raise BusinessError(_E_OTHER, "the server is not started")
        self._l.close()
        self._l = None
        _port.drop_sleeper(self._idle)  # (asleep in sleep_ms: see _aw.unwatch)
        x = _ws_session._x()
        for e in list(self._conns):
            s = e[1]
            if s is not None:
                try:
                    await x.close(s, 1001, "Going Away")
                except OSError:
                    pass
        _aw.release()
        return True

    async def _pings(self):
        # One task for all clients (a task each cost ~300 B per client): every IDLE_MS, a
        # client that sent nothing since the last look is pinged, and one that has not
        # answered that ping by the next look is dropped. Active clients get no pings
        # (Autobahn's cases fail on a ping they did not ask for)
        while True:
            await _port.sleep_ms(IDLE_MS)
            for e in self._conns:
                s = e[1]
                if s is None or s.state:
                    continue
                if s.act:
                    s.act = False
                elif s.pong_due:
                    _ws_session._x().drop(s, IDLE_MS)
                else:
                    s.pong_due = True
                    _port.spawn(_ws_session._x().control(s, 9))  # a ping (ws.PING)

    # -------------------------------------------------------------- accepting

    async def _accept_loop(self, l):
        from .transport import NetError
        while True:
            try:
                conn = await l.accept()
            except NetError:
                return  # closed by stop()
            except MemoryError:
                await _port.sleep_ms(100)
                continue
            _port.spawn(self._client(conn))

    def _admit(self, ip):
        """-> None, or the status to refuse a new connection from ip with."""
        mc, mo, _, _, ab, _, _ = self._cfg
        if ab is not None:
            import time
            now = time.ticks_ms()
            end = self._banned.get(ip)
            if end is not None:
                if time.ticks_diff(end, now) > 0:
                    return 403
                del self._banned[ip]
            ts = [t for t in self._seen.get(ip, ()) if time.ticks_diff(now, t) < ab[1]]
            ts.append(now)
            if len(ts) > ab[0]:
                self._banned[ip] = time.ticks_add(now, ab[2])
                self._seen.pop(ip, None)
                return 403
            self._seen[ip] = ts
            if len(self._seen) > 64:  # bounded: forget the stalest address
                for k in self._seen:
                    if k != ip:
                        del self._seen[k]
                        break
        if len(self._conns) >= mc:
            return 503
        n = 0
        for e in self._conns:
            if e[0]["clientIP"] == ip:
                n += 1
        if n >= mo:
            return 503
        return None

    async def _client(self, conn):
        from . import _ws_session
        from .proto import wssrv, ProtoError
        from .proto import RecvBuf
        mc, mo, proto, ctx, ab, mx, deflate = self._cfg
        a = conn.peer is not None and _port.addr(conn.peer) or ("", 0, 4)
        ref = {"clientIP": a[0], "clientPort": a[1]}
        # refuse: the status for a client over the limits or banned (not in _conns, no TLS);
        # its head is read all the same (bounded: HEAD_BUF, HANDSHAKE_MS), so that closing
        # does not reset the connection before it reads the status
        refuse = self._admit(a[0])
        entry = [ref, None]
        if refuse is None:
            self._conns.append(entry)
        rb = None
        s = None
        try:  # messages go out whole: no Nagle delay on the last segment of each (a
            # listener's second send waited for the client's delayed ACK, 40 ms on Linux),
            # nor on the records of a TLS handshake flight. On the raw socket, before TLS
            # wraps it: MicroPython's TLS socket has no setsockopt. IPPROTO_TCP 6,
            # TCP_NODELAY 1 on Linux and lwIP alike; set directly rather than through
            # _port.sockopt, whose table module costs ~4 KB of heap on first use
            conn.s.setsockopt(6, 1, 1)
        except (OSError, AttributeError, TypeError):
            pass
        try:
            if ctx is not None and refuse is None:
                from .transport import start
                start(conn, ctx, None, True)
            rb = RecvBuf(512)  # (grown to HEAD_BUF for a longer head: RAM per client)
            codec = None
            conn.timed_out = False
            dog = _aw.watch(HANDSHAKE_MS, conn, "timed_out")
            try:
                h = None
                while h is None:
                    if len(rb) == len(rb.buf) < HEAD_BUF:
                        rb.grow(HEAD_BUF)
                    try:
                        h = wssrv.request(rb)
                    except ProtoError as e:
                        raise wssrv.HandshakeError(refuse or e.status or 400, e.message)
                    if h is None:
                        n = await conn.readinto(rb.space())
                        if not n:
                            raise OSError(0, "closed during the handshake")
                        rb.wrote(n)
                if refuse is not None:
                    raise wssrv.HandshakeError(refuse, "")
                key, protos, ext = wssrv.check_request(*h)
                chosen = proto if proto and proto in protos else None
                agreed = None
                if deflate and ext:
                    from .proto import wspmd
                    agreed = wspmd.accept_offer(ext, _ws_session.WINDOW_BITS)
                    if agreed is not None:
                        codec = wspmd.Codec(agreed[1], agreed[2])
                await conn.write(wssrv.response(key, chosen, agreed[0] if agreed else None))
            except wssrv.HandshakeError as e:
                try:
                    await conn.write(wssrv.reject(e.code))
                except OSError:
                    pass
                return
            finally:
                _aw.unwatch(dog, conn, "timed_out")
            s = _ws_session.Session(conn, rb, False, mx, codec, self)
            s.ref = ref
            entry[1] = s
            if ctx is None and _port._core is not None:
                # a plain session's read loop is a task of its own, whose coroutine the
                # reader resumes (through this one it was a generator more per message);
                # this frame goes. Its end (on_close) closes and forgets the connection
                s.task = _port.spawn(s.run())
                _S[conn.s] = s
                conn = None
                self._emit("connect", ref)
                return
            s.task = _port.current_task()
            self._emit("connect", ref)
            await s.run()
        except _port.CancelledError:
            pass  # the handshake timed out (or the server is going down)
        except (OSError, ValueError, MemoryError) as e:
            if s is None and refuse is None:
                try:
                    self._emit("error", BusinessError(_E_OTHER, "client %s: %s" % (a[0], e)))
                except MemoryError:
                    pass  # (the report itself out of memory: the connection closes below)
        finally:
            if conn is not None:
                conn.close()
                if entry in self._conns:
                    self._conns.remove(entry)

    # -------------------------------------------------------------- per connection

    def waiter(self, sock):
        """Session.run()'s (now, wait) for a session of this server: a plain one waits in
        the reader (now: the get of asyncio core's globals, a builtin that says None for the
        ms it is given: wait through _wait, readable after it), a TLS one (or on a port with
        its own loop) as a client's."""
        global _C
        if self._cfg[3] is None and _port._core is not None:  # (as _client)
            _C = _port._core
            return _C.__dict__.get, _wait
        return _port.waiter(sock), _port.wait_readable

    def _find(self, connection):
        # -> the open or closing Session of connection (the object listAllConnections gave,
        # or an equal {clientIP, clientPort}), else None
        if isinstance(connection, dict):
            for e in self._conns:
                r = e[0]
                if e[1] is not None and (r is connection or (
                        r["clientIP"] == connection.get("clientIP")
                        and r["clientPort"] == connection.get("clientPort"))):
                    return e[1]
        return None

    # -------------------------------------------------------------- session callbacks

    def on_error(self, s, text):
        self._emit("error", BusinessError(_E_OTHER, text))

    def on_close(self, s, code, reason):
        if self._cur is s:  # (not kept once closed)
            self._cur = None
        k = s.c.s
        _S.pop(k, None)
        if _M.pop(k, None) is not None:  # parked in the reader (its end: cancelled while
            _P.unregister(k)  # parked, or closed while the reader runs it): out of its poll
            if s.task in _L:
                _L.remove(s.task)
        self._emit("close", s.ref, {"code": code, "reason": reason})
        for e in self._conns:
            if e[1] is s:
                self._conns.remove(e)
                break
