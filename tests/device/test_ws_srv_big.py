# timeout: 60
# include: ws_raw_support
# A server's large messages held once (proto.ws): a one-frame text read into a buffer of
# n + 1 bytes whose memory its str then shares (netstack._take), a fragmented text or binary
# in one buffer grown by each fragment (a text's handed over the same way; a binary is the
# buffer). Before, a text was its buffer and a str copy, a fragmented message its pieces and
# their join: twice its size. A plain-socket client (ws_raw_support.Raw, in this process;
# one connection a message) writes a 16 KiB message from a 3 KB pattern (UTF-8 with 2-byte
# characters, fragments of 1300 B cutting some), with the heap filled (512 B blocks) to 1.5
# times the message + 4 KB free (one frame: held twice it closes 1009, main before at 192k
# .mpy and 110k ROMFS), three times (fragmented: arrives whole; at twice, where main's
# pieces and join closed 1009 too, it passed 8 of 8 runs at 110k ROMFS, but at 192k .mpy an
# object of the loop's made after the buffer while it grew blocked it now and then: 1009).
import gc

N = 16384
CH = "\u00e9" * 12 + "x" * 1000  # 1024 B of UTF-8, 1012 characters
PAT = (CH * 3).encode()

got = []


def on_message(m):
    d = m["data"]
    if len(d) < 100:
        srv.send(d, m["clientConnection"])
    else:
        got.append((type(d).__name__, len(d),
                    d.count(CH) if type(d) is str else d[N - 1024:] == PAT[:1024]))


srv, ev, port = server(on_message)


def send(c, op, frag):
    # the message of N bytes of the pattern in frames of frag bytes (masked with a zero key:
    # the bytes as they are), written a frame piece at a time: the client holds no message
    o = 0
    while o < N:
        k = min(frag, N - o)
        b0 = (0 if o else op) | (128 if o + k == N else 0)
        c.s.send(bytes((b0, 0xFE, k >> 8, k & 255, 0, 0, 0, 0)) if k > 125 else
                 bytes((b0, 0x80 | k, 0, 0, 0, 0)))
        j = 0
        while j < k:
            i = (o + j) % 1024
            try:
                j += c.s.send(memoryview(PAT)[i : i + min(k - j, 1024)])
            except OSError:  # (EAGAIN: the server reads meanwhile)
                nap(5)
        o += k


def case(c, op, frag, free):
    # -> what the listener got, with the heap filled to `free` bytes free
    del got[:]
    fill = []
    gc.collect()
    while gc.mem_free() > free:
        fill.append(bytearray(512))
    free = gc.mem_free()
    send(c, op, frag)
    nap(300)  # (one wait while the server reads: no objects of the test's made meanwhile)
    until(lambda: got or [e for e in ev if e[0] == "close"])
    fill = None
    gc.collect()
    r = got[:] or [e[2]["code"] for e in ev if e[0] == "close"]
    print("op %d in %d B frames, %d B free: %r" % (op, frag, free, r))
    return r


def conn(op, frag, free):
    # one connection, one message: -> what the listener got (or the events)
    c = Raw(port)
    opened(c)
    echo(c, "warm")  # (the session's paths loaded)
    r = case(c, op, frag, free)
    c.s.close()
    until(lambda: [e for e in ev if e[0] == "close"])
    del ev[:]
    return r


r = (conn(1, N, N + N // 2 + 4096),  # one frame
     conn(1, 1300, 3 * N),  # fragmented: arrives (a functional check: see above)
     conn(2, 1300, 3 * N))
assert r == ([("str", 16192, 16)], [("str", 16192, 16)], [("bytearray", N, True)]), r
netstack.run(srv.stop())
print("OK")
