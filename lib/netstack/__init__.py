# netstack: OpenHarmony's network API for MicroPython.
# `import netstack` loads only this file, _err and _port; fetch, http, socket and webSocket
# load on first attribute access (RAM on boards), as MicroPython's asyncio does.
from ._err import BusinessError  # (binds the submodule _err here too)

__version__ = "0.1.0"


# MicroPython's `from netstack import x` (also inside the package) asks this __getattr__
# first and does not fall back to importing the submodule itself, so import it here.
def __getattr__(name):
    if name == "_aw" or name == "_log":  # the operations and the log lines live in _err:
        return _err  # (these names here, not in the package's dict: its table stays smaller)
    if "." in name:  # dir(netstack) at MicroPython's REPL asks for every interned string
        raise AttributeError(name)
    if name == "websocket":
        name = "webSocket"
    try:
        __import__(__name__ + "." + name)
    except ImportError as e:
        if name not in str(e):
            raise  # the submodule exists but failed to import: show the real error
        raise AttributeError(name)
    mod = globals()[name]  # importing a submodule binds it on its package
    if name == "webSocket":
        globals()["websocket"] = mod
    return mod


def run(awaitable=None):
    """Run the event loop until `awaitable` is done; return its result or raise its error.

    Without an argument: run until every callback-style operation has delivered its
    callback and no open socket or server holds the loop.
    """
    try:
        return _err.run(awaitable)
    except BusinessError as e:
        # e again without the frames it collected on its way up through asyncio
        # (MicroPython keeps them on the exception and cannot drop them): a failed run() at
        # the REPL shows the user's line and the error. debug(True) keeps them all.
        err = e if _err.on else BusinessError(e.code, e._msg, e._arg)
    raise err  # outside the except: no "during handling" chain on CPython


def debug(on=True):
    """Switch the library's log lines (printed with a 'netstack:' prefix) on or off."""
    _err.on = bool(on)
