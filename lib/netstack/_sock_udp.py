# UDPSocket of @ohos.net.socket, loaded by the first constructUDPSocketInstance
# (MulticastSocket builds on it in _sock_mcast).
from ._err import BusinessError
from . import _aw, _port, _portx
from ._sock import (Base, CLIENT_BASE, BOUND, CLOSED, net_address, need_ip, af, data_of,
                     set_opts, error_of, proxy_of, numeric, op, rinfo, DONE, then)
from .transport.udp import Datagram


_EBADF = const(9)
_EINVAL = const(22)
_E_SYSTEM = const(2300002)


# The fast send calls the socket's own sendto where the seam's is MicroPython's default
# (the same call; the default's `except OSError as e` gives its frame from the heap)
_DIRECT = _port.sendto is _portx.sendto
_reads = 0      # datagrams read since a reader last yielded (one count for all readers)
_bytes = bytes  # (module globals are found faster than builtins: send's path)


def _put(t, options):
    """send()'s fast path: one datagram to the last destination t = (a copy of its
    NetAddress, sockaddr, the socket's sendto), when options has bytes data, that same
    address and no proxy -> True: sent; None: the socket would block or failed (the general
    path waits, or reports the error); False: anything else (the general path checks: not
    a dict, no data or address, a string...). The subscripts raise where the options are
    not what this path takes: no type() or get() calls (1.1 k instructions a send). Two
    locals and no `except ... as`: the frame stays within the 11 words a call keeps off the
    heap (a try in send itself would not: docs/socket.md, "Speed")."""
    try:
        if (options["data"].__class__ is _bytes and options["address"] == t[0]
                and "proxy" not in options):
            t[2](options["data"], t[1])
            return True
    except OSError:
        return None
    except Exception:
        pass
    return False


class UDPSocket(Base):
    EVENTS = "message listening close error"  # (one str: _sock.TCP_OPTS)
    OPTS = "receiveBufferSize sendBufferSize reuseAddress socketTimeout broadcast"
    _d = None       # transport Datagram once bound
    _local = None   # own sockaddr once bound
    _socks = None   # the SOCKS5 UDP association (_socks.Udp) once a proxied send made one
    _to = None      # the last destination: (a copy of its NetAddress, sockaddr)

    def _sock(self):
        d = self._d
        return None if d is None else d.s

    def bind(self, address, callback=None):
        return op(self, self._bind(net_address(address)), callback)

    async def _bind(self, a):
        fam, ip, port = a
        need_ip(fam, ip)
        self._open(fam, ip, port)

    def _open(self, fam, ip, port):
        self._check_state(BOUND, _EINVAL, "bound")
        d = Datagram(af(fam))
        try:
            self._pre(d.s)
            self._local = d.bind(ip, port)
        except Exception as e:
            d.close()
            raise error_of(e)
        self._d = d
        self._st |= BOUND
        _aw.hold()
        _port.spawn(self._read())
        self._emit("listening")

    def _pre(self, s):
        if self._opts:
            set_opts(s, self._opts)

    async def _read(self):
        # While datagrams keep coming it yields to the other tasks after every 16 (as
        # transport.tcp.pump does: a flood would hold the loop until it paused)
        global _reads
        d = self._d
        n = self._rbs()
        err = None
        try:  # (MicroPython has no recvfrom_into: each datagram is its own bytes)
            while True:
                try:
                    r = await d.recvfrom(n)
                except MemoryError:
                    # No block of n bytes for the next datagram (recvfrom allocates its
                    # whole size first): read at most half as much from now on rather than
                    # stop reading, and say so once per step; a longer datagram is cut
                    # there (as one longer than receiveBufferSize is)
                    if n <= 256:
                        raise
                    n >>= 1
                    self._emit("error", BusinessError(_E_SYSTEM, "out of memory: reads of %d B" % n))
                    continue
                if r is None or self._st & CLOSED:
                    return
                data, sa = r
                if self._socks is not None:
                    r = self._socks.unwrap(data, sa)
                    if r is None:
                        continue
                    data, sa = r
                if self._has("message"):
                    self._emit("message", {"message": data, "remoteInfo": rinfo(sa, len(data))})
                _aw.nudge()  # (why: _aw.nudge)
                _reads += 1
                if _reads >= 16:
                    _reads = 0
                    await _port.sleep_ms(0)
        except Exception as e:
            err = e
        if not self._st & CLOSED:
            self._emit("error", error_of(err))

    def send(self, options, callback=None):
        t = self._to
        if t is not None and callback is None:
            # The same destination as the last send (equal values: the dict compare runs
            # natively), bytes, no proxy, the socket open (_shut drops _to): sent at the
            # call when the socket takes it (see Stream.send), without parsing, name
            # lookup, operation object or coroutine (_put). Anything else takes the
            # general path.
            r = _put(t, options)
            if r:
                return DONE
            if r is None:  # it would block, or failed: wait, or report the error
                return self._wait(options["data"], t[1])
        return self._general(options, callback)

    # (send's rarer paths apart: its frame stays within the 11 words a call keeps off
    # the heap; docs/socket.md, "Speed")
    def _wait(self, data, sa):
        return op(self, self._send_sa(data, sa), None)

    def _general(self, options, callback):
        if callback is not None and self._to is not None and callable(callback):
            # the callback form on the awaitable form's path (the same destination as the
            # last send: sent at the call), the callback called with the outcome
            return then(self, self.send(options), callback)
        return self._parsed(options, callback)

    def _parsed(self, options, callback):
        data = data_of(options)
        a = options.get("address")
        return op(self, self._send(data, net_address(a), proxy_of(options), a), callback)

    async def _send(self, data, na, proxy, a):
        fam, host, port = na
        d = self._bound()
        if proxy is not None:
            from . import _socks
            from ._sock import dial, deadline
            return await _socks.udp_send((dial, deadline), self, data, host, port, proxy)
        sa = _port.resolve(numeric(fam, host, port, CLIENT_BASE), port, True)[1]
        # (a copy of the address: the caller may change theirs; the bound sendto: one
        # lookup instead of three per send; None: _put's call fails, the general path sends)
        self._to = (dict(a), sa, d.s.sendto if _DIRECT else None)
        await self._send_sa(data, sa)

    async def _send_sa(self, data, sa):
        d = self._bound()
        try:
            if d.send_now(data, sa) is None:  # (no coroutine when the socket takes it)
                await d.sendto(data, sa)
        except Exception as e:
            raise error_of(e)

    def _bound(self):
        d = self._d
        if self._st & CLOSED or d is None:
            raise BusinessError(CLIENT_BASE + _EBADF, "socket is not bound (bind first)")
        return d

    def _shut(self):
        was = self._st & BOUND
        self._st = CLOSED
        self._to = None  # (send's fast path: only while open)
        d, self._d = self._d, None
        if d is not None:
            d.close()  # the reader wakes and ends
        s, self._socks = self._socks, None
        if s is not None:
            s.close()
        if was:
            _aw.release()
        self._emit("close")
