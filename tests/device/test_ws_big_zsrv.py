# timeout: 120
# include: ws_raw_support
# include: ws_cut_support
# The server's compressed message inflated in place (proto.wspmdz): its buffer (one frame's,
# or a fragmented message's grown at frame heads, proto.ws) grown to about the output's
# size, the compressed bytes moved to its end, the output written from its head, the block
# then cut to the output. Before, the compressed bytes c (a fragmented one's as 4 KiB
# pieces, joined), their copy for DeflateIO and the output t: max(2c, c + t) and the
# window, more where the output found no room in the first's hole. Here a binary message
# that compresses little (8,000 pseudo-random bytes as fixed Huffman literals, ~8.4 KB
# compressed, as lena or a pdf does; 3,000 at 110k) from a plain-socket client in this
# process, in one frame, in 2,000 B and in 256 B fragments (as Autobahn's 12.x.11-14), the
# heap cut down to one run of 2 t + the window + 1 KB: in place it needs c, a small margin,
# the window and the inflater's ~1.4 KB; before, 1009 "out of memory" (the fragmented ones
# until session 29; in 256 B fragments at 110k ROMFS main's server closed 1006). The frames
# are made per connection (made first, the three left 110k ROMFS no room to cut).
import gc
import netstack
from netstack import _take, _ws_session  # (loaded first: not amid the room left)
from netstack.proto import wspmd  # noqa: F401

gc.collect()
N = 8000 if gc.mem_free() > 100000 else 3000  # (at 110k ROMFS ~35 KB are free, in 9 KB runs)
ROOM = 2 * N + (1 << _ws_session.WINDOW_BITS) + 1024  # (the window: 4 KB at 192k, 1 KB at 110k)


def data(i):  # the message's byte i (a pseudo-random sequence)
    return (i * 2654435761 >> 13) & 255


def literals(n):
    # -> a final fixed-Huffman deflate block of the n bytes as literals (RFC 1951 3.2.6),
    # made into one buffer of its size
    bits = 3 + 7 + sum(8 if data(i) < 144 else 9 for i in range(n))
    out = bytearray((bits + 7) // 8)
    w = [3, 3, 0]  # (the bits so far, their count, the next byte: BFINAL 1, BTYPE 01)

    def put(v, k):  # (a Huffman code: its bits from the top one)
        acc, m, e = w
        for j in range(k - 1, -1, -1):
            acc |= (v >> j & 1) << m
            m += 1
            if m == 8:
                out[e] = acc
                e += 1
                acc = m = 0
        w[0] = acc
        w[1] = m
        w[2] = e
    for i in range(n):
        b = data(i)
        if b < 144:
            put(0x30 + b, 8)
        else:
            put(0x190 + b - 144, 9)
    put(0, 7)  # end of block
    if w[1]:
        out[w[2]] = w[0]
    return out


def frames(z, size):
    # z as a client's frames (RSV1 on the first; masked with a zero key) of size bytes, in
    # one buffer: written at once, nothing of the client's made while the server reads it
    out = bytearray(len(z) + 8 * ((len(z) + size - 1) // size))
    e = 0
    for a in range(0, len(z), size):
        n = min(size, len(z) - a)
        out[e] = (0x42 if not a else 0) | (128 if a + n == len(z) else 0)
        out[e + 1] = 0x80 | (n if n < 126 else 126)
        if n >= 126:
            out[e + 2] = n >> 8
            out[e + 3] = n & 255
            e += 2
        e += 6
        out[e : e + n] = z[a : a + n]
        e += n
    return memoryview(out)[:e]


Z = literals(N)
C = len(Z)
SIZES = (C, 2000, 256)  # (2,000: the rest of each frame read straight into the buffer)
WANT = sum(data(i) for i in range(N))
got = []


def on_message(m):
    d = m["data"]
    got.append(("message", len(d), sum(d)))


srv, ev, port = server(on_message)
srv.on("close", lambda c, r: got.append(("close", r["code"], r["reason"])))
for size in SIZES:
    c = Raw(port, 0, True, 512)
    c.s.send(_UP[:-2] + b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
    opened(c)
    del got[:]
    msg = frames(Z, size)  # (made before the heap is cut)
    fill = cut(ROOM)
    free = gc.mem_free()
    k = 0
    while k < len(msg):
        k += c.s.write(msg[k:] if k else msg) or 0
    until(lambda: got)
    fill = msg = None
    print("%d B compressed in %d B frames, %d B free: %r" % (C, size, free, got))
    assert got == [("message", N, WANT)], got
    c.s.send(frame(8, b"\x03\xe8"))
    until(lambda: len(got) > 1)
    c.s.close()
netstack.run(srv.stop())
print("OK")
