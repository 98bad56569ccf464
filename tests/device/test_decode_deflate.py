# HTTP "deflate" bodies decoded on MicroPython: zlib format and the raw deflate some servers
# send, checked to the last byte (gzip, the bomb and the limit: test_decode.py). Its own
# script: decoding needs one free 32 KB block, or maxLimit's size if less (docs/http.md), and at 110k one decoded body
# leaves the heap too split for another window, so each script starts on a fresh heap.
# include: decode_support
for path in ("/deflate", "/deflate?raw=1"):
    r = get(H + path, {"header": {"Accept-Encoding": "deflate"}})
    assert r.responseCode == 200 and r.header["content-encoding"] == "deflate", r.header
    assert r.result == body("deflate"), (path, r.result)   # every byte, none dropped or added
    r = None
    print("decoded", path)
# maxLimit bounds the decoded body: deflate has no size to read first, so the decoder
# stops a byte past maxLimit: exactly maxLimit arrives whole, one byte more is 2300023
DF = {"header": {"Accept-Encoding": "deflate"}, "maxLimit": 4000}
r = get(H + "/deflate?n=4000", DF)
assert len(r.result) == 4000 and r.result[:3] == "012", (len(r.result), r.result[:3])
r = None
DF["maxLimit"] = 3999
assert code_of(H + "/deflate?n=4000", DF) == 2300023
# and its window is no larger than maxLimit (no back-reference reaches further before the
# decoder stops): on a heap split into 12 KB holes (no 32 KB block) such a body decodes
pins = split_heap()
DF["maxLimit"] = 4000
r = get(H + "/deflate?n=4000", DF)
assert len(r.result) == 4000, len(r.result)
r = pins = None
print("OK")
