# Compressed response bodies decoded on MicroPython (its `deflate` module), at every heap the
# suite runs: gzip checked to the last byte (deflate: test_decode_deflate.py); a gzip bomb
# stopped by maxLimit (2300023, test_decode_bomb.py); and the documented limit: decoding needs one free block of
# as large as the body (deflate's window, up to 32 KB), so on a heap with no such block it
# fails with 2300027. Its own
# script: at 110k one decoded body leaves the heap too split for a second window.
# include: decode_support
r = get(H + "/gzip", {"header": {"Accept-Encoding": "gzip"}})
assert r.responseCode == 200 and r.header["content-encoding"] == "gzip", r.header
assert r.result == body("gzip"), r.result   # every byte, none dropped or added
r = None
print("decoded /gzip")
# The limit: deflate's window is one block as large as the body, up to 32 KB (gzip's
# trailer says the size; before, always 32 KB). Fill the heap with 12 KB blocks, then free
# every other one: plenty of heap is free, but no block of 16 KB. A 7,000 B body (an 8 KB
# window) decodes there; one of 10,000 B (a 16 KB window) fails with 2300027, and nothing
# leaks.
gc.collect()
base = gc.mem_free()
pins = split_heap()
gc.collect()
print("fragmented heap: %d bytes free in holes of about 12 KB" % gc.mem_free())
GZ = {"header": {"Accept-Encoding": "gzip"}}
r = get(H + "/gzip?n=7000", GZ)
assert len(r.result) == 7000 and r.result[:3] == "012", (len(r.result), r.result[:3])
r = None
got = code_of(H + "/gzip?n=10000", GZ)
assert got == 2300027, got
pins = None
gc.collect()
r = get(H + "/gzip?n=10000", GZ)   # and after, it works again
assert len(r.result) == 10000, len(r.result)
r = None
gc.collect()
print("heap free at the end: %d (%d below the start)" % (gc.mem_free(), base - gc.mem_free()))
# maxLimit bounds the decoded body: one of exactly maxLimit bytes arrives whole (it needed
# 1 KB of room past its end and got 2300023), one byte more is refused (gzip: by its
# trailer, before decoding; deflate, which has no size: test_decode_deflate.py)
GZ["maxLimit"] = 4000
r = get(H + "/gzip?n=4000", GZ)
assert len(r.result) == 4000 and r.result[:3] == "012", (len(r.result), r.result[:3])
r = None
GZ["maxLimit"] = 3999
assert code_of(H + "/gzip?n=4000", GZ) == 2300023
# A trailer that does not match the data is a bad body (2300061), never a cut or padded
# one: gzip of 600 B ("hello " x 100) with its size changed, and a second member after it
from netstack._inflate import inflate
G = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xcbH\xcd\xc9\xc9W\xc8\x18%GI\xaa\x92\x00\xf31\xa2\rX\x02\x00\x00"
assert inflate(G, "gzip", None) == b"hello " * 100
for bad in (G[:-4] + b"\x64\x00\x00\x00", G[:-4] + b"\xbc\x02\x00\x00",
            G + b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03KLJ\x06\x00\xc2A$5\x03\x00\x00\x00"):
    try:
        inflate(bad, "gzip", None)
        raise AssertionError("decoded: %r" % bad)
    except BusinessError as e:
        assert e.code == 2300061, e
print("OK")
