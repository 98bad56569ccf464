# BusinessError: the OpenHarmony error object, and the one errno -> code map. Messages live
# in a table that is only built when a message is asked for.
# Also the library's logging (netstack._log is this module: the package binds it under that
# name too, since a module of its own costs heap for its object, dict and names even from
# ROMFS): lines cost one attribute read when off, call sites test `_log.on` first. And the
# Emitter (on/once/off) every facade with events builds on (it was the module _emit).
from micropython import const  # (the one import of it: on CPython it makes const a builtin)

_E_PARAM = const(401)
E_INTERNAL = const(2300999)


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


def uint(o, k, default):
    """The shared validator of the facades' integer options: o[k] when it is an int >= 0
    (not a bool), else default (OpenHarmony ignores wrong types here rather than failing)."""
    v = o.get(k)
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
    print("netstack:", *args)


def report(e, where):
    """A user callback raised: print it once; never let it break the library."""
    if hook is not None:
        hook(e, where)
        return
    print(_t(5, where))  # netstack: exception in %s callback:
    import sys
    try:
        p = sys.print_exception
    except AttributeError:  # CPython
        import traceback
        p = traceback.print_exception
    p(e)


# --- events ------------------------------------------------------------------------------
# on/once/off for every OpenHarmony object with events.
# OpenHarmony's code keeps one listener per event type; its docs describe several, and
# netstack follows the docs (docs/api-choices.md): listeners of one type are kept in
# registration order, off(type, cb) removes that one, off(type) removes them all.
class Emitter:
    EVENTS = ()  # the event names this object emits (or one str of them, space-separated);
    # other names are ignored
    _ls = None   # {type: [[callback, once], ...]}, made on first on()

    def on(self, type, callback):
        if not isinstance(type, str) or not callable(callback):
            raise param(3)  # on(type: str, callback: function)
        ev = self.EVENTS  # a tuple, or the names in one str (RAM: http.HttpRequest)
        if type not in (ev.split() if ev.__class__ is str else ev):
            return
        ls = self._ls
        if ls is None:
            ls = self._ls = {}
        ls.setdefault(type, []).append([callback, False])

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
