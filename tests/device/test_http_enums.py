# http's enums load on first use, ResponseCode (40 names) on its own: a program naming
# http.HttpDataType and http.RequestMethod, as OpenHarmony's examples do, pays ~2 KB, not
# the 3.5 KB of all six (64-bit port, .mpy). Its own script: the enum modules' blocks would
# otherwise change the heap layout of the tests that compare heap figures.
import gc
import sys
from netstack import http

gc.collect()
free0 = gc.mem_free()
assert http.HttpDataType.ARRAY_BUFFER == 2 and http.RequestMethod.POST == "POST"
gc.collect()
enums = free0 - gc.mem_free()
print("HttpDataType and RequestMethod cost", enums, "bytes")
assert "netstack._httpcodes" not in sys.modules
assert enums < 2600, enums  # (3,584 B when all six were one module)
assert http.ResponseCode.NOT_FOUND == 404 and http.ResponseCode.VERSION == 505
assert http.CertType.PEM == "PEM" and http.AddressFamily.ONLY_V4 == "CURL_IPRESOLVE_V4"
assert http.HttpProtocol.HTTP1_1 == 0
print("OK")
