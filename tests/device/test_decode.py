# Compressed response bodies decoded on MicroPython (its `deflate` module), at every heap the
# suite runs: gzip checked to the last byte (deflate: test_decode_deflate.py); a gzip bomb
# stopped by maxLimit (2300023, test_decode_bomb.py); and the documented limit: decoding needs one free block of
# 32 KB (deflate's window), so on a heap with no such block it fails with 2300027. Its own
# script: at 110k one decoded body leaves the heap too split for a second window.
# include: decode_support
r = get(H + "/gzip", {"header": {"Accept-Encoding": "gzip"}})
assert r.responseCode == 200 and r.header["content-encoding"] == "gzip", r.header
assert r.result == body("gzip"), r.result   # every byte, none dropped or added
r = None
print("decoded /gzip")
# The limit: fill the heap with 8 KB blocks, then free every other one. Plenty of heap is
# free, but no block of 32 KB: the request itself (buffers of at most 4 KB) works, the
# decoder's window cannot be allocated -> 2300027, and nothing leaks.
gc.collect()
base = gc.mem_free()
blocks = []
try:
    while True:
        blocks.append(bytearray(8192))
except MemoryError:
    pass
pins = blocks[1::2]
blocks = None
gc.collect()
print("fragmented heap: %d bytes free in holes of about 8 KB" % gc.mem_free())
got = code_of(H + "/gzip", {"header": {"Accept-Encoding": "gzip"}})
assert got == 2300027, got
pins = None
gc.collect()
r = get(H + "/gzip", {"header": {"Accept-Encoding": "gzip"}})   # and after, it works again
assert r.result == body("gzip"), r.result
r = None
gc.collect()
print("heap free at the end: %d (%d below the start)" % (gc.mem_free(), base - gc.mem_free()))
# maxLimit bounds the decoded body: one of exactly maxLimit bytes arrives whole (it needed
# 1 KB of room past its end and got 2300023), one byte more is refused
GZ = {"header": {"Accept-Encoding": "gzip"}, "maxLimit": 4000}
r = get(H + "/gzip?n=4000", GZ)
assert len(r.result) == 4000 and r.result[:3] == "012", (len(r.result), r.result[:3])
r = None
GZ["maxLimit"] = 3999
assert code_of(H + "/gzip?n=4000", GZ) == 2300023
print("OK")
