# BusinessError: the OpenHarmony error object, and the one errno -> code map. Messages live
# in a table that is only built when a message is asked for.
# Also the library's logging (netstack._log is this module: the package binds it under that
# name too, since a module of its own costs heap for its object, dict and names even from
# ROMFS): lines cost one attribute read when off, call sites test `_log.on` first.
try:
    from micropython import const
except ImportError:
    const = lambda x: x

E_PARAM = const(401)
E_INTERNAL = const(2300999)


class BusinessError(Exception):
    """OpenHarmony BusinessError: .code is the OpenHarmony number, .message its text."""

    def __init__(self, code, message=None):
        self.code = code
        self._msg = message
        super().__init__(code, message)

    @property
    def message(self):
        m = self._msg
        return m if m is not None else default_message(self.code)

    def __str__(self):
        return "BusinessError %d: %s" % (self.code, self.message)

    def __repr__(self):
        return "BusinessError(%d, %r)" % (self.code, self.message)


def default_message(code):
    from . import _msgs
    return _msgs.lookup(code)


def param(what=None):
    """401 for a bad argument; `what` says which one."""
    return BusinessError(E_PARAM, "Parameter error" + (": " + what if what else ""))


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


def log(*args):
    print("netstack:", *args)


def report(e, where):
    """A user callback raised: print it once; never let it break the library."""
    if hook is not None:
        hook(e, where)
        return
    print("netstack: exception in %s callback:" % where)
    import sys
    if hasattr(sys, "print_exception"):
        sys.print_exception(e)
    else:
        import traceback
        traceback.print_exception(e)
