# The core on MicroPython: lazy import, BusinessError, events, callback/awaitable, run().
import gc
import sys
gc.collect()
free0 = gc.mem_free()
import netstack
gc.collect()
print("import netstack heap bytes:", free0 - gc.mem_free())
loaded = [m for m in sys.modules if m.startswith("netstack")]
assert "netstack.http" not in loaded and "netstack._client" not in loaded, loaded

import asyncio
from netstack import _aw, _err
from netstack import BusinessError

e = BusinessError(2300028)
assert e.code == 2300028 and e.message == "Operation timeout", e.message
assert BusinessError(401, "Parameter error: x").message == "Parameter error: x"


async def double(x):
    await asyncio.sleep_ms(1)
    return 2 * x


async def fail(code):
    await asyncio.sleep_ms(1)
    raise BusinessError(code)


assert netstack.run(double(21)) == 42
try:
    netstack.run(fail(2300007))
    raise AssertionError("no error")
except BusinessError as e:
    assert e.code == 2300007
try:
    netstack.run(42)
    raise AssertionError("no error")
except BusinessError as e:
    assert e.code == 401

# An operation runs once. The Op lets its finished coroutine go, whose frame (60 locals
# here: ~600 B on a 64-bit port) it would otherwise keep for as long as the Op lives; a
# second run is 401, not a silent None.
async def holds():
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = b0 = b1 = b2 = b3 = b4 = b5 = 0
    b6 = b7 = b8 = b9 = c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = c8 = c9 = d0 = d1 = 0
    d2 = d3 = d4 = d5 = d6 = d7 = d8 = d9 = e0 = e1 = e2 = e3 = e4 = e5 = e6 = e7 = 0
    e8 = e9 = f0 = f1 = f2 = f3 = f4 = f5 = f6 = f7 = f8 = f9 = 0
    await asyncio.sleep_ms(1)
    return 4000


def run_and_keep():
    op = _aw.call(holds(), None)
    assert netstack.run(op) == 4000
    return op


op = run_and_keep()
gc.collect()
kept = gc.mem_free()
del op
gc.collect()
assert gc.mem_free() - kept < 128, gc.mem_free() - kept  # the Op alone: 32 B
op = run_and_keep()
try:
    netstack.run(op)
    raise AssertionError("no error")
except BusinessError as e:
    assert e.code == 401 and "not run before" in e.message, e.message
assert "run already" in repr(op), repr(op)
del op
op = _aw.call(double(4), None)
assert "not run yet" in repr(op), repr(op)


async def await_twice(op):  # await takes an Op once too
    first = await op
    try:
        await op
    except BusinessError as e:
        return first, e.code


assert netstack.run(await_twice(op)) == (8, 401)
del op

# An exception raised in a user's callback or listener is reported, never breaks the loop.
# The reports go to the test-mode hook: devtest fails a script whose output shows one.
from netstack import _log
reports = []
_log.hook = lambda e, where: reports.append((where, type(e).__name__, str(e)))
got = []
assert _aw.call(double(1), lambda e, d: got.append((e, d))) is None
_aw.call(fail(2300006), lambda e, d: got.append((e.code, d)))


def boom(e, d):
    raise RuntimeError("user bug in callback (expected in this test)")


_aw.call(double(3), boom)
_aw.call(double(2), lambda e, d: got.append(d))
netstack.run()
assert got == [(None, 2), (2300006, None), 4], got
assert _aw._busy == 0
assert reports == [("result", "RuntimeError", "user bug in callback (expected in this test)")], reports
reports.clear()

try:
    _aw.call(double(1), "x")
    raise AssertionError("no error")
except BusinessError as e:
    assert e.code == 401

# cancelling a callback-style operation: the callback hears 'cancelled', the count drops
got = []


async def nap():
    await asyncio.sleep(10)


async def cancel_it():
    _aw.call(nap(), lambda e, d: got.append(e.message))
    await asyncio.sleep_ms(0)
    t = asyncio.create_task(nap())
    await asyncio.sleep_ms(0)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        got.append("awaitable cancelled")


netstack.run(cancel_it())
assert got == ["awaitable cancelled"], got
assert _aw._busy == 1  # the sleeping operation still holds the loop


class Thing(_err.Emitter):
    EVENTS = ("a", "b")


t = Thing()
seen = []
f1 = lambda x: seen.append(("f1", x))
f2 = lambda x: seen.append(("f2", x))
t.on("a", f1)
t.on("a", f2)
t.once("b", f1)
t.on("unknown", f1)


def bad(x):
    raise ValueError("listener bug (expected in this test)")


t.on("b", bad)
t._emit("a", 1)
t._emit("b", 2)
t._emit("b", 3)
t.off("a", f1)
t._emit("a", 4)
t.off("a")
t._emit("a", 5)
assert seen == [("f1", 1), ("f2", 1), ("f1", 2), ("f2", 4)], seen
assert reports == [("b", "ValueError", "listener bug (expected in this test)")] * 2, reports
_log.hook = None
for args in ((1, f1), ("a", "x")):
    try:
        t.on(*args)
        raise AssertionError("no error")
    except BusinessError as e:
        assert e.code == 401
print("OK")
