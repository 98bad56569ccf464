# One code path for both OpenHarmony call styles: every async operation is a coroutine;
# call() either returns it (await it, or pass it to netstack.run) or runs it as a task
# and hands the outcome to callback(err, data).
from . import _port, _err  # _err: also the log lines (netstack._log)
from ._err import BusinessError, E_INTERNAL, param

_busy = 0      # callback operations in flight + objects that hold the loop open
_idle = []     # the task of run() waiting for _busy to drop to 0 (_port.park)


class Op:
    """What an async call returns without a callback: the operation, not started yet.
    `netstack.run(op)` runs it, `await op` inside a coroutine too; its repr says so (a
    bare <generator object> at a board's REPL says nothing)."""

    def __init__(self, coro, what):
        self.coro = coro
        self.what = what

    def __repr__(self):
        from ._err import _t
        return _t(11, self.what)  # <netstack %s: not run yet; netstack.run(it) runs it ...>

    def __iter__(self):  # MicroPython's await
        nudge()  # (see above: the set-up's frames are freed by now)
        return self.coro

    if _port.NAME == "cpython":  # CPython's await (MicroPython's calls __iter__): no
        def __await__(self):  # function object for it on MicroPython
            return self.coro.__await__()

    def __getattr__(self, name):
        # send, throw, close: asyncio.create_task(op) on MicroPython drives it as a
        # coroutine (one method for the three: each costs heap, even from ROMFS)
        return getattr(self.coro, name)


# One float per operation, made once the calls that set the operation up have returned.
# MicroPython's allocator looks for a run of several free blocks from where the last
# one-block allocation went (after a collection: the heap's first free block), and frees
# of a call's frame (kept on the heap when it is big) move that point back down. Where
# every object of an operation takes several blocks (on 64-bit ports: this Op, its
# attribute table, the coroutine, a message's bytes and dicts), the point stayed at the
# bottom and each allocation walked over all the garbage made since the last collection:
# at a 2 MB heap 355,000 instructions per UDP send, 89% of it. A one-block object (a float
# on 64-bit ports) made after those frees moves the point up to the newest garbage
# (docs/socket.md, "Speed"). Made before the frees it does nothing. CPython: one float.
_f = 1.0


def nudge():
    return _f * 1  # (no float constant: each is an object on the heap, even from ROMFS)


def call(coro, callback, internal=E_INTERNAL, what="operation"):
    if callback is None:
        return Op(coro, what)
    if not callable(callback):
        coro.close()
        raise param(8)  # callback must be a function
    hold()
    _port.spawn(_deliver(coro, callback, internal))


async def _deliver(coro, callback, internal):
    nudge()  # (see above)
    err = data = None
    cancelled = None
    try:
        data = await coro
    except BusinessError as e:
        err = e
    except MemoryError:
        err = BusinessError(internal, 10)  # Out of memory
    except Exception as e:  # a library bug must still reach the callback as an error
        err = BusinessError(internal, "%s: %s" % (type(e).__name__, e))
    except BaseException as e:  # CancelledError: tell the callback, then let it propagate
        err = BusinessError(internal, "cancelled")
        cancelled = e
    release()
    try:
        callback(err, data)
    except Exception as e:
        _err.report(e, "result")
    if cancelled is not None:
        raise cancelled


def hold():
    global _busy
    _busy += 1


def release():
    global _busy
    _busy -= 1
    if _busy <= 0:
        _busy = 0
        if _idle:
            _port.wake(_idle)


async def _until_idle():
    while _busy:
        await _port.park(_idle)


def run(aw):  # (aw None: until idle; netstack.run passes it, a default costs heap)
    own = False  # one of the library's operations: it needs no asyncio (_port, "the loop")
    if aw is None:
        if not _busy:
            return None
        aw = _until_idle()
    elif aw.__class__ is Op:  # (not type(): a builtin's name costs ~1k instructions)
        aw = aw.coro
        own = True
    elif not (hasattr(aw, "send") or hasattr(aw, "__await__")):
        raise param(9)  # run() takes an awaitable
    return _port.run_until_complete(aw, own)


# A timeout cheaper than wait_for (no extra task around the awaited work): a task queued to
# start at the deadline (not run before: no step, no sleep of its own), that sets a flag on
# x and cancels the task that armed it. Stop it with unwatch() when the work is done in
# time; on CancelledError, the flag tells a timeout from other causes.
def watch(ms, x, flag, task=None):
    """task: the current task, when the caller has it at hand."""
    return _port.spawn_after(_dog(task or _port.current_task(), x, flag), ms)


def deadline(code, message, arg=None):
    """The one "deadline passed" error: after a CancelledError whose watchdog flag (watch's
    `flag` on x) is set, raise deadline(code, message). code: the module's timeout code
    (http/fetch 2300028); message, arg: as BusinessError's."""
    return BusinessError(code, message, arg)


def unwatch(dog, x, flag):
    """Stop a watchdog that has not fired: take it off the run queue (_port.drop_sleeper).
    Not dog.cancel(): on MicroPython that puts the dog back on the queue to run once more,
    and one still queued when the next request's task is created links the two requests
    through the task queue's stale pairing-heap pointers (docs/http.md, "Memory")."""
    if not getattr(x, flag):  # fired: it has finished already
        _port.drop_sleeper(dog)


async def _dog(task, x, flag):
    setattr(x, flag, True)
    task.cancel()
