# timeout: 300
# Zero-copy requestInStream (extension, off by default): option streamBuffer lends a
# bytearray; every dataReceive piece is a memoryview of it (valid during the call), so a
# long download allocates nothing per piece: the bytes arrive exactly, the views are of the
# lent buffer, and the heap is flat over the download.
import gc
H = CFG["hostile"]
CFG = None
gc.collect()
import netstack
from netstack import http, BusinessError

LEND = bytearray(4096)  # e.g. a flash sector
st = [0, 0, 0, 0, 0]  # bytes, wrong bytes, pieces, views not of LEND, heap low-water


def on_data(d):
    i = st[0]
    n = len(d)
    # the view is of the lent buffer: writing through it shows in LEND
    if not isinstance(d, memoryview) or n > len(LEND):
        st[3] += 1
    else:
        keep = LEND[0]
        d[0] = keep ^ 0xFF
        if LEND[0] != keep ^ 0xFF:
            st[3] += 1
        d[0] = keep
    # the bytes are the peer's pattern (0..255 repeating), checked at both ends and inside
    for j in (0, n >> 1, n - 1):
        if d[j] != (i + j) & 255:
            st[1] += 1
            break
    st[0] += n
    st[2] += 1
    if st[2] % 128 == 0:  # what 128 pieces left behind (garbage), then collected: retained
        made = marks[-1] - gc.mem_free() if marks else 0
        if made > st[4]:
            st[4] = made
        gc.collect()
        marks.append(gc.mem_free())


marks = []  # free heap after a collection, every 128 pieces


def run(path, total):
    for k in range(5):
        st[k] = 0
    del marks[:]
    req = http.createHttp()
    req.on("dataReceive", on_data)
    code = netstack.run(req.requestInStream(H + path, {"streamBuffer": LEND}))
    req.destroy()
    assert code == 200, code
    assert st[0] == total and st[1] == 0 and st[3] == 0, (path, st)
    # flat: after each collection the same heap is free (nothing kept per piece), and 128
    # pieces leave well under one piece's size each as garbage (no piece is allocated)
    spread = max(marks) - min(marks) if marks else 0
    print(path, "pieces", st[2], "heap after collections: min", min(marks or [0]), "spread",
          spread, "garbage per 128 pieces", st[4])
    assert spread <= 1024 and st[4] < 128 * 512, (spread, st[4])


# a long Content-Length download: 8 MB through a 4 KB buffer
run("/big?n=8000000", 8000000)
# chunked with chunks that are not a multiple of the buffer, and until-close
run("/bigchunked?n=1000000&chunk=5000", 1000000)
run("/big?n=300000&close=1", 300000)
# without the option: new bytearrays (the OpenHarmony behaviour), not views of LEND
got = []
req = http.createHttp()
req.on("dataReceive", lambda d: got.append(type(d)))
assert netstack.run(req.requestInStream(H + "/big?n=1000")) == 200
assert got and all(t is bytearray for t in got), got
# bad values: 401 at the call
for bad in (b"abc", bytearray(0), 42):
    try:
        http.createHttp().requestInStream(H + "/big?n=10", {"streamBuffer": bad})
        raise AssertionError("accepted %r" % (bad,))
    except BusinessError as e:
        assert e.code == 401, e
try:
    http.createHttp().request(H + "/big?n=10", {"streamBuffer": LEND})
    raise AssertionError("request() took streamBuffer")
except BusinessError as e:
    assert e.code == 401, e
print("OK")
