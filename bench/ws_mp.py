# MicroPython side of the WebSocket bench (bench/ws_run.py runs it):
#   ws_mp.py raw|netstack|chumicro HOST PORT SIZE COUNT [text|binary]
# Echo round trips against a CPython websockets echo server (no compression); prints
# "RESULT <round trips per second>". `raw` is the baseline: a minimal client with a fixed
# handshake, blocking socket, one preallocated buffer, readinto and a viper XOR mask (4
# bytes per step; the last session's byte loop made the 64 KiB baseline look stalled: 0.8 ms
# per pass, twice per round trip). `chumicro`: chumicro-websockets from PyPI.
import sys
import time
import micropython

mode, host, port, size, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
text = len(sys.argv) > 6 and sys.argv[6] == "text"


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
    out = bytearray(hl + 4 + n)
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
    payload = memoryview(out)[hl + 4:]
    src = bytes(n) if not text else b"a" * n  # the message, as an application holds it
    inb = bytearray(n + 10)
    mv = memoryview(inb)
    t = time.ticks_ms()
    for _ in range(count):
        # copy the message behind the header and mask it there: what every client does
        payload[:] = src
        _xor(out, hl + 4, hl + 4 + n, key)
        s.write(out)
        want = (n + 2 + (0 if n < 126 else 2 if n < 65536 else 8))
        got = 0
        while got < want:
            got += s.readinto(mv[got:want])
    dt = time.ticks_diff(time.ticks_ms(), t)
    s.close()
    return count * 1000 / dt


def netstack_client():
    import netstack
    from netstack import webSocket
    ws = webSocket.createWebSocket()
    data = "a" * size if text else bytes(size)
    st = {"n": 0, "t": 0, "done": False}

    def sent(e, d):
        if e:
            raise e

    def on_open(o):
        st["t"] = time.ticks_ms()
        ws.send(data, sent)

    def on_message(m):
        st["n"] += 1
        if st["n"] < count:
            ws.send(data, sent)
        else:
            st["dt"] = time.ticks_diff(time.ticks_ms(), st["t"])
            ws.close(None, sent)

    ws.on("open", on_open)
    ws.on("message", on_message)
    netstack.run(ws.connect("ws://%s:%d/" % (host, port), {"permessageDeflate": False,
                                                          "pingInterval": 0}))
    netstack.run()
    return count * 1000 / st["dt"]


def chumicro_client():
    # chumicro-websockets (PyPI): a tick-driven client; its message cap raised to fit the
    # message and its per-tick budgets to 64 KiB (defaults: 16 KiB, 1 KiB per tick)
    from chumicro_websockets import WebSocketClient, WebSocketState
    from chumicro_sockets.sockets_factory import connector_factory
    from time import ticks_ms
    c = WebSocketClient(connector_factory(), max_message_bytes=size + 1024,
                        recv_budget_per_tick=65536, send_budget_per_tick=65536)
    data = "a" * size if text else bytes(size)
    st = {"n": 0, "t": 0}

    def send():
        if text:
            c.send_text(data)
        else:
            c.send_binary(data)

    def on_message(m):
        st["n"] += 1
        if st["n"] < count:
            send()
        else:
            st["dt"] = time.ticks_diff(time.ticks_ms(), st["t"])
            c.close()

    c.on_text = on_message
    c.on_binary = on_message
    c.connect("ws://%s:%d/" % (host, port))
    started = False
    t_end = time.ticks_add(time.ticks_ms(), 120000)
    while c.state != WebSocketState.CLOSED and time.ticks_diff(t_end, time.ticks_ms()) > 0:
        if not started and c.state == WebSocketState.OPEN:
            started = True
            st["t"] = time.ticks_ms()
            send()
        now = ticks_ms()
        if c.check(now):
            c.handle(now)
    return count * 1000 / st["dt"]


r = raw() if mode == "raw" else chumicro_client() if mode == "chumicro" else netstack_client()
print("RESULT %.1f" % r)
