# BusinessError: the OpenHarmony error object, and the one errno -> code map. Messages live
# in a table that is only built when a message is asked for.
# Also the library's logging (netstack._log is this module: the package binds it under that
# name too, since a module of its own costs heap for its object, dict and names even from
# ROMFS): lines cost one attribute read when off, call sites test `_log.on` first. And the
# Emitter (on/once/off) every facade with events builds on (it was the module _emit).
# And the operations (call, run, watch: netstack._aw is this module too, bound by the package
# as _log is): every program that runs an operation loads both, and a module costs heap and
# .mpy names. They come before BusinessError: after it, test_socket_ram's TLS context (one
# 3 KB block) found no room at 110k from ROMFS (the heap's layout; before: from 96k).
from micropython import const  # (the one import of it: on CPython it makes const a builtin)
from . import _port

_E_PARAM = const(401)
_E_INTERNAL = const(2300999)


# --- operations (netstack._aw) ---------------------------------------------------------------
# One code path for both OpenHarmony call styles: every async operation is a coroutine;
# call() either returns it (await it, or pass it to netstack.run) or runs it as a task
# and hands the outcome to callback(err, data).

_busy = 0      # callback operations in flight + objects that hold the loop open
_idle = []     # the task of run() waiting for _busy to drop to 0 (_port.park)


class Op:
    """What an async call returns without a callback: the operation, not started yet.
    `netstack.run(op)` runs it, `await op` inside a coroutine too; its repr says so (a
    bare <generator object> at a board's REPL says nothing)."""

    def __init__(self, coro, what):
        self.coro = coro
        self.what = what

    def __repr__(self):  # <netstack %s: not run yet; ...> / <netstack %s: run already ...>
        return _t(11 if self.coro else 28, self.what)

    def __iter__(self):  # MicroPython's await: it runs once, as with run()
        nudge()  # (see above: the set-up's frames are freed by now)
        c = self.coro
        if c is None:
            raise param(9)  # ... not run before
        self.coro = None
        return c

    if _port.NAME == "cpython":  # CPython's await (MicroPython's calls __iter__): no
        def __await__(self):  # function object for it on MicroPython
            return self.__iter__().__await__()

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


def call(coro, callback, code=_E_INTERNAL, what="operation"):
    # code: the facade's code for an unexpected failure (a library bug, out of memory)
    if callback is None:
        return Op(coro, what)
    if not callable(callback):
        coro.close()
        raise param(8)  # callback must be a function
    hold()
    _port.spawn(_deliver(coro, callback, code))


async def _deliver(coro, callback, code):
    nudge()  # (see above)
    err = data = None
    cancelled = None
    try:
        data = await coro
    except BusinessError as e:
        err = e
    except MemoryError:
        err = BusinessError(code, 10)  # Out of memory
    except Exception as e:  # a library bug must still reach the callback as an error
        err = BusinessError(code, 29, (type(e).__name__, str(e)))  # %s: %s
    except BaseException as e:  # CancelledError: tell the callback, then let it propagate
        err = BusinessError(code, 30)  # cancelled
        cancelled = e
    # a finished task can stay reachable (asyncio's queue keeps a stale pointer to the last
    # one it ran) and its frame with it: not the operation too, whose frame holds its
    # arguments (a ws echo kept the last 64 KiB message: Autobahn 12.1.9 at 192k)
    coro = None
    release()
    try:
        callback(err, data)
    except Exception as e:
        report(e, "result")
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
    own = None  # one of the library's operations: it needs no asyncio (_port, "the loop");
    # report then takes what ends a task of that loop other than aw's
    if aw is None:
        if not _busy:
            return None
        aw = _until_idle()
        own = report  # (it waits only through _port: park; on the one-task loop too)
    elif aw.__class__ is Op:  # (not type(): a builtin's name costs ~1k instructions)
        op = aw
        aw = op.coro
        if aw is None:
            raise param(9)  # ... not run before
        # An Op runs once: it lets its coroutine go, whose finished frame it would keep for
        # as long as it lives (often in a stale slot of the caller's frame)
        op.coro = None
        own = report
    elif not (hasattr(aw, "send") or hasattr(aw, "__await__")):
        raise param(9)  # run() takes an awaitable
    return _port.run_until_complete(aw, own)


# A timeout cheaper than wait_for (no extra task around the awaited work): a task queued to
# start at the deadline (not run before: no step, no sleep of its own), that sets the flag
# x.<name> and cancels the task that armed it. Stop it with unwatch() when the work is done
# in time; on CancelledError, the flag tells a timeout from other causes (then raise the
# module's timeout BusinessError: http/fetch 2300028).
def watch(ms, x, name, task=None):
    """-> the watchdog. task: the current task, when the caller has it at hand."""
    return _port.spawn_after(_dog(task or _port.current_task(), x, name), ms)


def unwatch(t, x, name):
    """Stop watchdog t if it has not fired: take it off the run queue (_port.drop_sleeper).
    Not t.cancel(): on MicroPython that puts the dog back on the queue to run once more,
    and one still queued when the next request's task is created links the two requests
    through the task queue's stale pairing-heap pointers (docs/http.md, "Memory")."""
    if not getattr(x, name):  # fired: it has finished already
        _port.drop_sleeper(t)


async def _dog(task, x, name):
    setattr(x, name, True)
    task.cancel()


class BusinessError(Exception):
    """OpenHarmony BusinessError: .code is the OpenHarmony number, .message its text."""

    _arg = None  # the argument of a numbered message (below)

    def __init__(self, code, message=None, arg=None):
        self.code = code
        # a str; None: the code's own text (_msgs); or a number into _msgt.T, formatted
        # with arg: the texts load only when one is read (no string constants on the path)
        self._msg = message
        if arg is not None:
            self._arg = arg
        super().__init__(code, message)

    @property
    def message(self):
        m = self._msg
        if m is None:
            from . import _msgs
            m = _msgs.lookup(self.code)
        elif type(m) is int:
            from . import _msgt
            m = _msgt.text(m, self._arg)
        return m

    def __str__(self):
        return _t(1, (self.code, self.message))  # BusinessError %d: %s

    def __repr__(self):
        return _t(2, (self.code, self.message))  # BusinessError(%d, %r)


def _t(n, arg=None):  # the text of message number n (_msgt)
    from . import _msgt
    return _msgt.text(n, arg)


def param(what):
    """401 for a bad argument; `what` says which one (a str, a message number, or None;
    no default: a default costs the function heap)."""
    return BusinessError(_E_PARAM, 0, what)  # Parameter error[: what]


def uint(options, k, default):
    """The shared validator of the facades' integer options: options[k] when it is an int
    >= 0 (not a bool), else default (OpenHarmony ignores wrong types here rather than
    failing)."""
    v = options.get(k)
    if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
        return v
    return default


on = False
# Test mode: a function (e, where) that report() hands the exception to instead of printing
# it. tools/devtest.py fails any script whose output shows a report, so a test that makes a
# callback raise on purpose sets this hook to consume the reports it expects and asserts on
# them; an unexpected one still prints and fails the run.
hook = None


def load(name):
    """Import netstack.<name>, an engine that loads mid-program at its first use (http's
    at the first createHttp(), fetch's at the first fetch()). Meanwhile MicroPython
    collects every 4 KB allocated: the import's garbage (old tables of growing dicts; with
    .mpy files, the loader's buffers) is reused by the import itself instead of staying as
    holes between its objects (smallest heap for one GET: 85K -> 76K from .mpy). Then once
    more: the first request's objects fill the holes left rather than the top of the heap,
    where a 32 KB inflate window must still fit (test_decode at 110k from ROMFS)."""
    import sys
    if "netstack." + name in sys.modules:
        return
    import gc
    t = gc.threshold() if hasattr(gc, "threshold") else None  # (CPython's gc has none)
    if t is not None:
        gc.threshold(4096)
    try:
        __import__("netstack." + name)
    finally:
        if t is not None:
            gc.threshold(t)
        gc.collect()


def log(*args):
    print(_t(31), *args)  # netstack:


def report(e, what):
    """A user callback raised: print it once; never let it break the library. what: the
    callback's kind (an event name, "result")."""
    if hook is not None:
        hook(e, what)
        return
    print(_t(5, what))  # netstack: exception in %s callback:
    import sys
    sys.print_exception(e)  # (the CPython shim gives sys traceback's)


# --- events ------------------------------------------------------------------------------
# on/once/off for every OpenHarmony object with events.
# OpenHarmony's code keeps one listener per event type; its docs describe several, and
# netstack follows the docs (docs/core.md, Events): listeners of one type are kept in
# registration order, off(type, cb) removes that one, off(type) removes them all.
class Emitter:
    EVENTS = ()  # the event names this object emits (or one str of them, space-separated);
    # other names are ignored
    _ls = None   # {type: [[callback, once], ...]}, made on first on()

    def on(self, type, callback):
        if not isinstance(type, str) or not callable(callback):
            raise param(3)  # on(type: str, callback: function)
        ev = self.EVENTS  # a tuple, or the names in one str (RAM: http.HttpRequest)
        if ev.__class__ is str:
            ev = ev.split()
        if type not in ev:
            return
        ls = self._ls
        if ls is None:
            ls = self._ls = {}
        # (the key: EVENTS' own str, so that a lookup with it finds the entry by its pointer,
        # not by comparing strs: _ws_server._deliver's, once a message)
        ls.setdefault(ev[ev.index(type)], []).append([callback, False])

    def once(self, type, callback):
        self.on(type, callback)  # (its entry, marked: no third method, whose object costs
        ls = self._ls  # every facade's heap)
        if ls and type in ls:  # (else not one of EVENTS: ignored)
            ls[type][-1][1] = True

    def off(self, type, callback=None):
        if not isinstance(type, str) or (callback is not None and not callable(callback)):
            raise param(4)  # off(type: str, callback?: function)
        ls = self._ls
        if not ls or type not in ls:
            return
        if callback is None:
            del ls[type]
            return
        lst = ls[type]
        for i in range(len(lst)):
            if lst[i][0] == callback:
                del lst[i]
                break
        if not lst:
            del ls[type]

    def _has(self, type):
        ls = self._ls
        return ls is not None and type in ls

    def _emit(self, type, *args):
        ls = self._ls
        if not ls:
            return
        lst = ls.get(type)
        if not lst:
            return
        if len(lst) == 1 and not lst[0][1]:  # the common case, without a snapshot
            try:
                lst[0][0](*args)
            except Exception as e:
                report(e, type)
            return
        # Walk a snapshot so a listener may call on/off; drop `once` entries before calling.
        for entry in tuple(lst):
            if entry[1]:
                try:
                    lst.remove(entry)
                except ValueError:
                    continue
            try:
                entry[0](*args)
            except Exception as e:
                report(e, type)
        if not lst and ls.get(type) is lst:
            del ls[type]
