# Logging that costs one attribute read when off: call sites test `_log.on` first.
import sys

on = False


def log(*args):
    print("netstack:", *args)


def report(e, where):
    """A user callback raised: print it once; never let it break the library."""
    print("netstack: exception in %s callback:" % where)
    if hasattr(sys, "print_exception"):
        sys.print_exception(e)
    else:
        import traceback
        traceback.print_exception(e)
