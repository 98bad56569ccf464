# timeout: 300
# requestInStream of chunked bodies: every byte arrives, in order, whatever the chunk sizes
# and wherever the peer's writes cut the framing (size lines, extensions, CRLFs, the
# trailer). The engine reads framing and data together into the piece and parses the
# framing there (_clientx._in_place), so this checks every byte of every piece against the
# peer's pattern (byte i is i % 256). Junk after the body never reaches the listener; a
# cut or malformed chunked body fails with its code.
import gc
H = CFG["hostile"]
CFG = None
gc.collect()
import netstack
from netstack import http, BusinessError

P = bytes(range(256)) * 2
st = [0, 0, 0, 0]  # bytes, wrong pieces, pieces, pieces that are not a bytearray


def on_data(d):
    i = st[0]
    n = len(d)
    if type(d) is not bytearray:
        st[3] += 1
    j = 0
    while j < n:  # every byte, 256 at a time, against the pattern at that offset
        e = j + 256 if j + 256 < n else n
        o = (i + j) & 255
        if d[j:e] != P[o:o + e - j]:
            st[1] += 1
            break
        j = e
    st[0] += n
    st[2] += 1


def run(path, total, req=None):
    for k in range(4):
        st[k] = 0
    r = req
    if r is None:
        r = http.createHttp()
        r.on("dataReceive", on_data)
    code = netstack.run(r.requestInStream(H + path))
    if req is None:
        r.destroy()
    assert code == 200 and st[0] == total and st[1] == 0 and st[3] == 0, (path, code, st)
    return st[2]


# reads that end anywhere in the framing: the peer writes 1, 2, 3, 5, 7 or 64 bytes at a time
for step in (1, 2, 3, 5, 7, 64, 2000):
    run("/chunked-cut?step=%d" % step, 999)
# chunk sizes around the receive buffer's (4 KB) and a piece's, one-byte chunks, a chunk
# bigger than a piece (at 110k a piece is a few KB)
for n, chunk in ((20000, 1), (100003, 7), (300000, 4095), (300000, 4096), (300000, 4097),
                 (1000000, 16384), (700000, 200000)):
    pieces = run("/bigchunked?n=%d&chunk=%d" % (n, chunk), n)
    print("chunk", chunk, "bytes", n, "pieces", pieces)
# a kept connection: the next stream on it starts clean
req = http.createHttp()
req.on("dataReceive", on_data)
for i in range(3):
    run("/bigchunked?n=50000&chunk=999", 50000, req)
    run("/chunked-cut?step=64&ms=0", 999, req)
req.destroy()
# junk after the body (fewer and more bytes than the receive buffer holds): the body is
# exact, the junk is dropped with the connection, the next request works
req = http.createHttp()
req.on("dataReceive", on_data)
for extra in (10, 6000):
    run("/chunked-cut?step=400&ms=0&extra=%d" % extra, 999, req)
    run("/bigchunked?n=5000&chunk=100", 5000, req)
req.destroy()
# extensions and trailers, gathered: the body exactly
got = []
req = http.createHttp()
req.on("dataReceive", lambda d: got.append(bytes(d)))
assert netstack.run(req.requestInStream(H + "/chunked?ext=1&trailers=1")) == 200
assert b"".join(got) == b"hello, chunked world! abcdefghijklmnopqrstuvwxyz", got
req.destroy()
# cut and malformed bodies: the codes request() gives for them
for path, code in (("/short-chunked", 2300018), ("/bad-chunk", 2300061),
                   ("/overflow-chunk", 2300061), ("/chunked?ext=nul", 2300061)):
    req = http.createHttp()
    req.on("dataReceive", lambda d: None)
    try:
        netstack.run(req.requestInStream(H + path))
        raise AssertionError("no error for " + path)
    except BusinessError as e:
        assert e.code == code, (path, e.code, e)
    req.destroy()
gc.collect()
print("OK")
