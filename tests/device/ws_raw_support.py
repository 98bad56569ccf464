# Shared by the server's plain-socket tests (test_ws_server_reader.py, test_ws_server_slow.py;
# tools/devtest.py inlines it where a script says `# include: ws_raw_support`): server() on a
# fresh port, frame() a client's frame, Raw a plain-socket client, until() and nap() on the
# library's loop, opened() and echo().
import gc
import socket

import netstack
from netstack import webSocket, _port, _ws_server

_PORT = [25000 + (_port.random_bytes(2)[0] << 4)]

_UP = (b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")


def server(on_message=None):
    srv = webSocket.createWebSocketServer()
    ev = []
    for name in ("connect", "close", "error"):
        srv.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
    srv.on("messageReceive", on_message or (lambda m: srv.send(m["data"], m["clientConnection"])))
    _PORT[0] += 1
    assert netstack.run(srv.start({"serverIP": "127.0.0.1", "serverPort": _PORT[0]})) is True
    return srv, ev, _PORT[0]


def frame(op, data):  # a client's frame, masked with a zero key (the bytes as they are)
    n = len(data)
    return bytes((0x80 | op, 0x80 | n, 0, 0, 0, 0)) + data if n < 126 else \
        bytes((0x80 | op, 0x80 | 126, n >> 8, n & 255, 0, 0, 0, 0)) + data


class Raw:
    """A plain-socket client: the handshake's answer, then frames() what the server sent,
    read into one buffer (a small heap: no bytes joined per read)."""

    def __init__(self, p, rcvbuf=0, later=False, size=256):
        s = self.s = socket.socket()
        if rcvbuf:
            try:  # (SOL_SOCKET, SO_RCVBUF on Linux: a small window, so that writes block)
                s.setsockopt(1, 8, rcvbuf)
            except (OSError, AttributeError):
                pass
        s.connect(socket.getaddrinfo("127.0.0.1", p)[0][-1])
        s.setblocking(False)
        if not later:  # (later: the head after a while: the handshake waits for it)
            s.send(_UP)
        self.b = bytearray(size)  # (frames up to this size)
        self.mv = memoryview(self.b)
        self.n = 0
        self.up = False

    def poll(self):
        if self.n == len(self.b):
            return
        try:
            r = self.s.readinto(self.mv[self.n:])
        except OSError:
            r = None
        if r == 0:
            raise EOFError
        if r:
            self.n += r
        if not self.up:
            i = bytes(self.b[:self.n]).find(b"\r\n\r\n")
            if i >= 0:
                assert self.b[:13] == b"HTTP/1.1 101 ", self.b
                self.take(i + 4)
                self.up = True

    def take(self, k):
        self.mv[:self.n - k] = self.mv[k:self.n]
        self.n -= k

    def frame(self):  # -> (op, payload) (a binary one: (2, its length)) or None
        b = self.b
        if not self.up or self.n < 2:
            return None
        n = b[1] & 127
        h = 2
        if n == 126:
            if self.n < 4:
                return None
            n = b[2] << 8 | b[3]
            h = 4
        if self.n < h + n:
            return None
        r = (b[0] & 15, n if b[0] & 15 == 2 else bytes(b[h:h + n]))
        self.take(h + n)
        return r


def until(what, ms=4000):
    async def w():
        t = 0
        while t < ms:
            r = what()
            if r:
                return r
            await _port.sleep_ms(5)
            t += 5
        raise AssertionError("timed out")
    return netstack.run(w())


def nap(ms):
    async def w():
        await _port.sleep_ms(ms)
    netstack.run(w())


def opened(c):
    def f():
        c.poll()
        return c.up
    until(f)


def echo(c, text):
    c.s.send(frame(1, text.encode()))

    def f():
        c.poll()
        r = c.frame()
        if r is not None and r[0] == 9:  # the idle task's ping: answered
            c.s.send(frame(10, r[1]))
            r = None
        return r
    got = until(f)
    assert got == (1, text.encode()), (got, text)
