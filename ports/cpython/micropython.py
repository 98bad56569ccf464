# CPython shim for MicroPython's `micropython` module, plus the `time.ticks_*` family and
# `const` as a builtin. _err imports it first thing, and the package loads _err first:
# every other lib/ module loads after it.
import builtins
import sys as _sys
import time as _time


def const(x):
    return x


# lib/ uses const() without importing it (but in _err): MicroPython's compiler folds const()
# with or without the import, and the import line cost each module ~18 B of .mpy and a global
builtins.const = const

# and MicroPython's sys.print_exception (netstack._err.report prints a callback's error)
if not hasattr(_sys, "print_exception"):
    import traceback
    _sys.print_exception = traceback.print_exception


def native(f):
    return f


viper = native


def opt_level(*a):
    return 0


def mem_info(*a):
    pass


if not hasattr(_time, "ticks_ms"):
    _PERIOD = 1 << 30  # MicroPython's small-int ticks period on 32-bit boards

    def ticks_ms():
        return int(_time.monotonic() * 1000) & (_PERIOD - 1)

    def ticks_us():
        return int(_time.monotonic() * 1000000) & (_PERIOD - 1)

    def ticks_add(t, d):
        return (t + d) & (_PERIOD - 1)

    def ticks_diff(a, b):
        d = (a - b) & (_PERIOD - 1)
        return d - _PERIOD if d >= _PERIOD >> 1 else d

    def sleep_ms(ms):
        _time.sleep(ms / 1000)

    _time.ticks_ms = ticks_ms
    _time.ticks_us = ticks_us
    _time.ticks_add = ticks_add
    _time.ticks_diff = ticks_diff
    _time.sleep_ms = sleep_ms
