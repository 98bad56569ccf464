# A gzip bomb on MicroPython: 10 MiB of zeros in ~10 KB of gzip stops at maxLimit with
# 2300023 and never fills the heap (a script of its own: see test_decode.py). maxLimit is
# 4 KB: the compressed body (10 KB), the 32 KB window and the output all fit at 110k.
# include: decode_support
r = None
got = code_of(H + "/gzip-bomb", {"header": {"Accept-Encoding": "gzip"}, "maxLimit": 4096})
assert got == 2300023, got

gc.collect()
print("heap free at the end:", gc.mem_free())
print("OK")
