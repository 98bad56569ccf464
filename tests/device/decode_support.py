# Shared by the device scripts test_decode*.py (tools/devtest.py inlines it where a script
# says `# include: decode_support`): the peers they use, one request on a fresh HttpRequest,
# the code a request fails with, and the body the hostile peer compresses.
import gc
CFG = {"hostile": CFG["hostile"], "httpbin": CFG["httpbin"]}
gc.collect()
import netstack
from netstack import http, BusinessError

H = CFG["hostile"]
B = CFG["httpbin"]


def get(url, opts):
    gc.collect()
    req = http.createHttp()
    try:
        return netstack.run(req.request(url, opts))
    finally:
        req.destroy()


def code_of(url, opts):
    try:
        get(url, opts)
    except BusinessError as e:
        return e.code
    raise AssertionError("no error for " + url)


def body(coding):  # what peers_hostile compresses: json.dumps of this, CPython's separators
    return '{"encoding": "%s", "data": "%s"}' % (coding, "hello " * 20)


def split_heap():
    """Fills the heap with 12 KB blocks and frees every other one: plenty of heap free, in
    holes of about 12 KB. The blocks kept are returned (drop them to give the heap back)."""
    gc.collect()
    blocks = []
    try:
        while True:
            blocks.append(bytearray(12288))
    except MemoryError:
        pass
    return blocks[1::2]


gc.collect()
print("heap free after import:", gc.mem_free())
