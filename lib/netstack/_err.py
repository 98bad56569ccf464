# BusinessError: the OpenHarmony error object, and the one errno -> code map.
# Messages live in a table that is only built when a message is asked for.
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


# errno values that mean the same thing on every MicroPython port (lwIP and unix agree
# on these numbers; ECONNRESET/ETIMEDOUT differ and are matched by name where needed).
def errno_of(e):
    if isinstance(e, OSError) and e.args and isinstance(e.args[0], int):
        return e.args[0]
    return None
