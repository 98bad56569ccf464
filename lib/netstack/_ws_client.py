# @ohos.net.webSocket's client: the WebSocket object createWebSocket() returns (loaded by
# it, so a server or a bare `import netstack.webSocket` does not carry the client). Frames,
# handshake and permessage-deflate are the sans-I/O code in proto/; one open connection is
# a _ws_session.Session.
from ._err import Emitter
from ._err import BusinessError, param
from . import _aw, _port

_E_EXISTS = const(2302003)
_E_OTHER = const(2302999)
_E_FAILED = const(-1)
_E_LINK = const(200)   # the error event's code for a failed connect or a lost link
SEND_LIMIT = 5242864   # OpenHarmony: 5 MiB minus libwebsockets' padding -> 401 above it
# (underscored consts: compiled in, no names interned; see bench/ws_ram.py)
_MAX_MESSAGE = const(5242880)  # largest message accepted (after decompression) -> close 1009
_CONNECT_TIMEOUT_MS = const(30000)
_RECV_BUF = const(256)  # the session's receive buffer (doubled, up to 8 KB, while a long
                        # 101 head does not fit); payloads over 1 KB are read straight into
                        # their message buffer


_wss = None            # the _ws_session module once a connect loaded it


async def _main(self, a):  # (a function, not a method: WebSocket's table one size smaller)
    # the session's task: dial and the opening handshake (_open: its frame, ~600 B with
    # the handshake's locals, is garbage once open), then the read loop (this small
    # frame lives as long as the session). a: connect's options, then split's URL parts
    # and the TLS options
    s = None
    try:
        s = await self._open(a)
        if s is not None:
            r = s.run()  # (its frame, ~380 B, before what the open listeners leave)
            s.task = _port.current_task()
            self._s = s
            self._emit("open", {"status": 101, "message": "Switching Protocols"})
            if a[3] > 0:
                s.pinger = _port.spawn_after(s._pings(a[3], a[4]), 0)  # (no asyncio)
            a = None
            await r
    except Exception:  # out of memory outside _open's reporting (making its coroutine,
        # loading _ws_clientx to report) and the read loop's (starting it): the events
        # come all the same, with nothing more to load (an error that ended this task
        # was never shown: the loop stops with netstack.run()'s idle wait before that)
        a = None
        if s is None:
            self._emit("error", BusinessError(_E_LINK, 10))  # Out of memory
            self.on_close(s, 1006, "The link is down")
        else:
            s._finish(1006, "The link is down")
    finally:
        self._s = None
        self._busy = False
        try:
            if s is not None:
                s.c.close()
        finally:
            _aw.release()


class WebSocket(Emitter):
    # (a list: its short names load as interned names; a tuple constant's items are each a
    # str object on the heap, even from ROMFS)
    EVENTS = ["open", "message", "close", "error", "dataEnd", "headerReceive"]

    def __init__(self):
        self._s = None        # the Session once open
        self._busy = False    # a connect is under way or a session exists

    # -------------------------------------------------------------- API

    def connect(self, url, options=None, callback=None):
        """-> True once the connection is under way; open/error/close events follow.
        Bad arguments raise BusinessError(401) here, at the call."""
        if callable(options) and callback is None:
            options, callback = None, options
        o = options  # (its checks here: 401 at the call; URL and state errors come later)
        if not isinstance(url, str):
            raise param(17)  # url must be a string
        if o is None:
            o = {}
        elif not isinstance(o, dict):
            raise param(18)  # options must be an object (dict)
        hdr = o.get("header") or {}
        if not isinstance(hdr, dict):
            raise param(20)  # header must be an object (dict)
        headers = []  # (a loop: a comprehension is one more function object on the path)
        for k, v in hdr.items():
            if isinstance(v, str) and v:
                headers.append((k.lower(), v))
        proto = o.get("protocol")
        k = None  # (an option's 401: its text from _ws_clientx, not constants of this path)
        if proto is not None and not isinstance(proto, str):
            k = "protocol"
        ms = []
        for v in ("pingInterval", "pongTimeout"):
            x = o.get(v)
            if x is None:
                x = 30
            if not isinstance(x, int) or isinstance(x, bool) or not 0 <= x <= 30000:
                k = k or v
                x = 0
            ms.append(x * 1000)
        if k is not None:
            from . import _ws_clientx
            raise _ws_clientx.option_error(k)
        proxy = o.get("proxy")
        if isinstance(proxy, dict):
            from . import _ws_clientx
            proxy = _ws_clientx.proxy(proxy)
        else:
            proxy = None  # 'system' and 'no-proxy': a board has no system proxy
        a = (o, headers, proto, ms[0], min(ms[1], ms[0]), proxy)
        return _aw.call(self._connect(url, a), callback, _E_OTHER)

    def send(self, data, callback=None):
        m = _wss
        if m is None:  # not connected yet (an import in a function costs ~15k instructions)
            from . import _ws_session as m
        s = self._s
        r = None
        if s is not None:
            try:
                r = s.send_now(data, callback, SEND_LIMIT)  # the common case: out now, no task
            except OSError:
                pass  # send() meets it again and reports it
            if r is True:  # (and callback queued)
                return None if callback is not None else m.done(None, "send")
        # (in _ws_sessionx, which a large message loads anyway: not _ws_clientx, whose
        # objects then landed amid a session's buffers, and a 64 KiB echo at 192k had no
        # block left for the message: autobahn 1.2.7)
        m = m._x()
        m.check_data(data, SEND_LIMIT, callback)  # 401 for a bad argument
        return _aw.call(m.send_op(s, data, r, _E_FAILED), callback, _E_OTHER)

    def close(self, options=None, callback=None):
        if callable(options) and callback is None:
            options, callback = None, options
        m = _wss
        if m is None:
            from . import _ws_session as m
        a = m.close_args(options, "CLOSE_NORMAL")
        s = self._s
        if s is not None and s.close_now(a[0], a[1]):  # the common case: out now, no task
            return m.done(callback, "close")
        return _aw.call(m._x().close_op(s, a, _E_OTHER), callback, _E_OTHER)

    # -------------------------------------------------------------- internals

    async def _connect(self, url, a):
        global _wss
        o = a[0]
        if _wss is None:
            # The client's session code at the first connect, all at once, with MicroPython
            # collecting every 4 KB meanwhile (as _err.load does for http's engine): the
            # imports' garbage (old tables of growing dicts) is reused by the next import
            # instead of staying as holes between the modules (bench/ws_ram.py)
            import gc
            t = gc.threshold() if hasattr(gc, "threshold") else None
            if t is not None:
                gc.threshold(4096)
            try:
                from . import _ws_session, transport  # noqa: F401
                from .proto import wshs  # noqa: F401  (proto/http1 only for an odd URL or head)
            finally:
                if t is not None:
                    gc.threshold(t)
            _wss = _ws_session
        from .proto import wshs, ProtoError
        try:
            scheme, host, port, target, hh = wshs.split(url)
            if scheme != "ws" and scheme != "wss" or len(url) > 8196:
                scheme = None
        except ProtoError as e:
            scheme = e.message
        if scheme != "ws" and scheme != "wss":  # (its text from _ws_clientx: not on the path)
            from . import _ws_clientx
            raise _ws_clientx.url_error(scheme)
        if self._busy:
            raise BusinessError(_E_EXISTS)
        tls = None
        if scheme == "wss":
            from . import _ws_clientx
            tls = _ws_clientx.tls_opts(o)
        self._busy = True
        _aw.hold()
        try:  # (one tuple: fewer slots in _main's frame, which lives as long as the session)
            _port.spawn_after(_main(self, a + (host, port, target, hh, tls)), 0)
        except BaseException:  # out of memory: no session (netstack.run() would wait for it)
            self._busy = False
            _aw.release()
            raise
        return True

    async def _open(self, a):
        # -> the Session once the server's 101 is checked, or None after the error and
        # close events (the connection closed). a: connect's options, headers, protocol,
        # the ping times (_main's), proxy, then split's host, port, target and Host value,
        # and the TLS options: read where used (a local each made this frame, which is the
        # handshake's, 11 words larger, and their unpacking its value stack)
        m = _wss
        from .proto import wshs, RecvBuf
        conn = None
        status = 0
        if m._gc:  # MicroPython: the code is in; the long-lived buffer goes low, before garbage
            m._gc()
        try:
            rb = RecvBuf(_RECV_BUF)
            self._tmo = False
            dog = _aw.watch(_CONNECT_TIMEOUT_MS, self, "_tmo")
            err = codec = None
            try:
                if a[10] is None and a[5] is None:  # (connect: dial's frame less at the peak)
                    from . import transport
                    conn = await transport.connect(a[6], a[7])
                else:  # wss, a proxy
                    from . import _ws_clientx
                    conn = await _ws_clientx.dial(a[6], a[7], a[10], a[5], rb)
                key = wshs.client_key(m.rand(16))
                offer = None
                if a[0].get("permessageDeflate", True):  # (proto.wspmd loads only if agreed)
                    offer = wshs.deflate_offer(m.WINDOW_BITS)
                h = wshs.request(a[9], a[8], key, a[2], a[1], offer)
                await conn.write(memoryview(h) if m._gc else h.encode())  # (see request)
                offer = h = offer is not None  # (not kept while the answer is read)
                while True:
                    if len(rb) == len(rb.buf) < 8192:  # a long head: more room
                        rb.grow(len(rb.buf) << 1)
                    h = wshs.response(rb)
                    if h is not None:
                        break
                    n = await conn.readinto(rb.space())
                    if not n:
                        raise OSError(0)  # (closed during the handshake: link_error)
                    rb.wrote(n)
                status, h = h
                if self._has("headerReceive"):
                    d = {}
                    for k, v in h:
                        d[k] = v
                    self._emit("headerReceive", d)
                ext = wshs.check_response(status, h, key, a[2])[1]  # HandshakeError: refused
                if ext:  # (permessage-deflate: _ws_clientx loads proto.wspmd)
                    from . import _ws_clientx
                    codec = _ws_clientx.codec(ext, offer, m.WINDOW_BITS, status)
            except _port.CancelledError:
                if not self._tmo:
                    raise
                err = OSError(110)  # (timed out: link_error's text)
            except Exception as e:
                err = e
            finally:
                _aw.unwatch(dog, self, "_tmo")
            if err is not None:
                from . import _ws_clientx
                _ws_clientx.failed(self, err, status)
                return None
            # not kept while the session opens: the CA certificates (DER), the options, the head
            s = a[0].get("maxMessageSize", _MAX_MESSAGE)  # (here: one local less in the frame)
            a = h = key = offer = ext = dog = None
            s = m.Session(conn, rb, True, s, codec, self)
            conn = None  # (the session's now: _main closes it)
            return s
        finally:
            if conn is not None:
                conn.close()

    # -------------------------------------------------------------- session callbacks

    def on_message(self, s, data):
        ls = self._ls
        e = ls.get("message") if ls else None
        e = e[0] if e and len(e) == 1 else None
        if e is not None and not e[1]:  # Emitter._emit's common case inlined: once a message
            try:
                e[0](data)
            except Exception as x:
                _aw.report(x, "message")
        else:
            self._emit("message", data)
        if ls and "dataEnd" in ls:
            self._emit("dataEnd")

    def on_error(self, s, text):
        self._emit("error", BusinessError(_E_LINK, text))

    def on_close(self, s, code, reason):
        self._emit("close", {"code": code, "reason": reason})
