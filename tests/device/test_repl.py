# timeout: 60
# REPL manners (issue 8): what a user typing at a board's REPL sees.
import gc
import io
import sys
H = CFG["hostile"]
CFG = None
gc.collect()
import netstack
from netstack import http, BusinessError

req = http.createHttp()
# an operation typed without netstack.run() says what it is and how to run it
op = req.request(H + "/ok")
s = repr(op)
assert "netstack.run(" in s and "request" in s, s
assert netstack.run(op).result == "hello"
assert "requestInStream" in repr(req.requestInStream(H + "/ok"))

# wrong arguments raise BusinessError(401) at the call, not once run
for args in ((42,), (H + "/ok", 5), (H + "/ok", {"header": 5}), (H + "/ok", {"method": 7}),
             (H + "/ok", {}, 5)):
    for f in (req.request, req.requestInStream):
        try:
            f(*args)
        except BusinessError as e:
            assert e.code == 401, (args, e)
        else:
            raise AssertionError("no 401 at the call for %r" % (args,))

# await works on the operation, and so does asyncio.create_task
import asyncio


async def main():
    r = await req.request(H + "/ok")
    r2 = await asyncio.create_task(req.request(H + "/ok"))
    return r.result + r2.result


assert netstack.run(main()) == "hellohello"

# a failed request's traceback: the user's line and the error, not asyncio's frames
try:
    netstack.run(req.request(H + "/bad-status"))
except BusinessError as e:
    buf = io.StringIO()
    sys.print_exception(e, buf)
    tb = buf.getvalue()
    assert e.code == 2300008, e
frames = tb.count("File ")
print("frames in a failed request's traceback:", frames)
assert frames <= 2, tb.replace("Traceback", "(traceback)")
req.destroy()
print("OK")
