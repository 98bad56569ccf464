# The per-message path of a WebSocket session without the network, for
# counting instructions deterministically (bench/ws_cg.py runs it under callgrind):
#   micropython ws_loop.py server|client N
# A Session reads N 64 B text frames from a socket stand-in that has the next frame once the
# event loop polls it (so each message waits and wakes through asyncio's poller, as in a
# real echo at full speed; select.poll asks the stand-in's ioctl, a Python call) and
# echoes each through the public API: server.send(data, connection, callback) from a
# messageReceive listener, or ws.send(data, callback) from a message listener. Writes go to
# the stand-in, which takes them whole.
import io
import sys
import netstack
from netstack import webSocket, _ws_session, transport
from netstack.proto import RecvBuf

role, N = sys.argv[1], int(sys.argv[2])
client = role == "client"


def frame(masked):
    p = b"a" * 64
    if not masked:
        return bytes((0x81, 64)) + p
    key = b"\x01\x02\x03\x04"
    return bytes((0x81, 0x80 | 64)) + key + bytes(p[i] ^ key[i & 3] for i in range(64))


class Sock(io.IOBase):
    # like a non-blocking socket whose peer sends the next frame once the last one was
    # answered: readinto gives one frame, then None (nothing yet) until the event loop
    # polls it (ioctl MP_STREAM_POLL: io.IOBase makes a Python object pollable), so each
    # message's wait and wake-up through asyncio's poller count, as in a real echo
    def __init__(self, data, n):
        self.data = data
        self.n = n
        self.out = 0
        self.ready = True

    def readinto(self, mv):
        if not self.n:
            return 0
        if not self.ready:
            return None
        self.ready = False
        self.n -= 1
        d = self.data
        mv[: len(d)] = d
        return len(d)

    def write(self, b):
        self.out += 1
        return len(b)

    def ioctl(self, req, arg):
        if req == 3:  # MP_STREAM_POLL: the next frame is there
            self.ready = True
            return arg & 1  # POLLIN
        return -1  # (MP_STREAM_GET_FILENO: none, so select.poll asks ioctl)

    def setsockopt(self, *a):
        pass

    def close(self):
        pass


def nop(e, d):
    pass


sock = Sock(frame(not client), N)
conn = transport.Conn(sock)
if client:
    owner = webSocket.createWebSocket()
    owner.on("message", lambda m: owner.send(m, nop))
else:
    owner = webSocket.createWebSocketServer()
    owner.on("messageReceive", lambda m: owner.send(m["data"], m["clientConnection"], nop))
s = _ws_session.Session(conn, RecvBuf(1024), client, 1 << 20, None, owner)
if client:
    owner._s = s
    from netstack import _ws_client
    _ws_client._wss = _ws_session  # (what connect does)
else:
    s.ref = {"clientIP": "127.0.0.1", "clientPort": 1}
    owner._conns.append([s.ref, s])
netstack.run(s.run())
assert sock.out == N, sock.out
print("OK", N)
