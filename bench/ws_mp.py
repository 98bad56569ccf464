# MicroPython side of the WebSocket bench (bench/ws_run.py runs it):
#   ws_mp.py raw|raw32|netstack|chumicro HOST PORT SIZE COUNT [text|binary]
# Echo round trips against a CPython websockets echo server (no compression): WARM round
# trips first (lazily loaded code, the first allocations), then COUNT timed; prints
# "RESULT <round trips per second> <CPU us per round trip>" (this process's CPU time over
# the timed part, user and kernel, from /proc/self/schedstat; 0 where there is none).
# `raw` is the baseline: a minimal client with a fixed
# handshake, blocking socket, one preallocated buffer, readinto and a viper XOR mask (4
# bytes per step; the last session's byte loop made the 64 KiB baseline look stalled: 0.8 ms
# per pass, twice per round trip). `raw32`: the same with the payload at a 4-byte aligned
# address and masked in 32-bit words (ptr32; 64 KiB in ~24 us on x64 against the byte
# loop's ~108), an information row: how much of raw's time is its mask. `chumicro`:
# chumicro-websockets from PyPI.
import sys
import time
import micropython

mode, host, port, size, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
text = len(sys.argv) > 6 and sys.argv[6] == "text"
WARM = 20  # (a fixed count: bench/ws_cg.py takes the difference of two COUNTs)


def cpu_ns():
    # ns this process has run on a CPU (its one thread), user and kernel
    try:
        with open("/proc/self/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError):
        return 0


class Clock:
    # the timed part: start() after the warm-up round trips, stop() after the last one
    def start(self):
        self.c = cpu_ns()
        self.t = time.ticks_us()

    def stop(self):
        self.dt = time.ticks_diff(time.ticks_us(), self.t)
        self.cpu = cpu_ns() - self.c

    def result(self):
        return count * 1e6 / self.dt, self.cpu / 1e3 / count


clock = Clock()


def echoed(n, m, data):
    # the n-th echo, m, came (the warm-up's checked) -> send the next?
    if n <= WARM:
        assert m == data, (n, len(m))
    if n == WARM:
        clock.start()
    if n < WARM + count:
        return True
    clock.stop()


@micropython.viper
def _xor(buf: ptr8, a: int, b: int, key: ptr8):
    # 4 bytes per step (a fair baseline: a byte-at-a-time loop runs at a third of the speed)
    k0 = key[0]
    k1 = key[1]
    k2 = key[2]
    k3 = key[3]
    i = a
    e = b - 3
    while i < e:
        buf[i] ^= k0
        buf[i + 1] ^= k1
        buf[i + 2] ^= k2
        buf[i + 3] ^= k3
        i += 4
    k = 0
    while i < b:
        buf[i] ^= key[k]
        i += 1
        k += 1


@micropython.viper
def _xor32(buf: ptr32, a: int, b: int, kw: int):
    # buf's 32-bit words a..b-1 XOR kw (the key as a little-endian word)
    i = a
    while i < b:
        buf[i] ^= kw
        i += 1


def raw():
    import socket
    s = socket.socket()
    s.connect(socket.getaddrinfo(host, port)[0][-1])
    s.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY: a frame goes out whole, no Nagle wait
    s.write(b"GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            % (host.encode(), port))
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.read(1)
    assert head.startswith(b"HTTP/1.1 101")
    key = b"\x12\x34\x56\x78"
    n = size
    hl = 2 + (0 if n < 126 else 2 if n < 65536 else 8)
    pad = (-(hl + 4)) & 3 if mode == "raw32" else 0  # (raw32: the payload word-aligned)
    whole = bytearray(pad + hl + 4 + n)
    out = memoryview(whole)[pad:]
    out[0] = 0x81 if text else 0x82
    if n < 126:
        out[1] = 0x80 | n
    elif n < 65536:
        out[1] = 0x80 | 126
        out[2] = n >> 8
        out[3] = n & 255
    else:
        out[1] = 0x80 | 127
        for j in range(8):
            out[9 - j] = (n >> (8 * j)) & 255
    out[hl:hl + 4] = key
    kw = key[0] | key[1] << 8 | key[2] << 16 | key[3] << 24
    payload = memoryview(out)[hl + 4:]
    src = bytes(n) if not text else b"a" * n  # the message, as an application holds it
    inb = bytearray(n + 10)
    mv = memoryview(inb)
    for i in range(WARM + count):
        if i == WARM:
            clock.start()
        # copy the message behind the header and mask it there: what every client does
        payload[:] = src
        if mode == "raw32":
            a = (pad + hl + 4) >> 2
            _xor32(whole, a, a + (n >> 2), kw)
            _xor(whole, pad + hl + 4 + (n & -4), pad + hl + 4 + n, key)
        else:
            _xor(out, hl + 4, hl + 4 + n, key)
        s.write(out)
        want = (n + 2 + (0 if n < 126 else 2 if n < 65536 else 8))
        got = 0
        while got < want:
            got += s.readinto(mv[got:want])
        if i < WARM:  # (the warm-up's echoes checked, untimed)
            assert mv[want - n:want] == src
    clock.stop()
    s.close()


def netstack_client():
    import netstack
    from netstack import webSocket
    ws = webSocket.createWebSocket()
    data = "a" * size if text else bytes(size)
    st = {"n": 0}

    def sent(e, d):
        if e:
            raise e

    def on_open(o):
        ws.send(data, sent)

    def on_message(m):
        st["n"] += 1
        if echoed(st["n"], m, data):
            ws.send(data, sent)
        else:
            ws.close(None, sent)

    ws.on("open", on_open)
    ws.on("message", on_message)
    netstack.run(ws.connect("ws://%s:%d/" % (host, port), {"permessageDeflate": False,
                                                          "pingInterval": 0}))
    netstack.run()


def chumicro_client():
    # chumicro-websockets (PyPI): a tick-driven client; its message cap raised to fit the
    # message and its per-tick budgets to 64 KiB (defaults: 16 KiB, 1 KiB per tick)
    from chumicro_websockets import WebSocketClient, WebSocketState
    from chumicro_sockets.sockets_factory import connector_factory
    from time import ticks_ms
    c = WebSocketClient(connector_factory(), max_message_bytes=size + 1024,
                        recv_budget_per_tick=65536, send_budget_per_tick=65536)
    data = "a" * size if text else bytes(size)
    st = {"n": 0}

    def send():
        if text:
            c.send_text(data)
        else:
            c.send_binary(data)

    def on_message(m):
        st["n"] += 1
        if echoed(st["n"], m, data):
            send()
        else:
            c.close()

    c.on_text = on_message
    c.on_binary = on_message
    c.connect("ws://%s:%d/" % (host, port))
    started = False
    t_end = time.ticks_add(time.ticks_ms(), 120000)
    while c.state != WebSocketState.CLOSED and time.ticks_diff(t_end, time.ticks_ms()) > 0:
        if not started and c.state == WebSocketState.OPEN:
            started = True
            send()
        now = ticks_ms()
        if c.check(now):
            c.handle(now)


raw() if mode[:3] == "raw" else chumicro_client() if mode == "chumicro" else netstack_client()
print("RESULT %.1f %.2f" % clock.result())
