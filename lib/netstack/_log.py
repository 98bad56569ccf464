# Logging that costs one attribute read when off: call sites test `_log.on` first.
import sys

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
    if hasattr(sys, "print_exception"):
        sys.print_exception(e)
    else:
        import traceback
        traceback.print_exception(e)
