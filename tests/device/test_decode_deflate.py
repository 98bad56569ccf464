# HTTP "deflate" bodies decoded on MicroPython: zlib format and the raw deflate some servers
# send, checked to the last byte (gzip, the bomb and the limit: test_decode.py). Its own
# script: decoding needs one free 32 KB block (docs/http.md), and at 110k one decoded body
# leaves the heap too split for another window, so each script starts on a fresh heap.
# include: decode_support
for path in ("/deflate", "/deflate?raw=1"):
    r = get(H + path, {"header": {"Accept-Encoding": "deflate"}})
    assert r.responseCode == 200 and r.header["content-encoding"] == "deflate", r.header
    assert r.result == body("deflate"), (path, r.result)   # every byte, none dropped or added
    r = None
    print("decoded", path)
print("OK")
