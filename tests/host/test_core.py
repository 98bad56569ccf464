# The core every module uses: BusinessError, events, callback/awaitable, run().
import asyncio

import pytest

import netstack
from netstack import _aw, _err
from netstack._err import BusinessError


class Thing(_err.Emitter):
    EVENTS = ("a", "b")


async def double(x):
    await asyncio.sleep(0)
    return 2 * x


async def fail(code):
    await asyncio.sleep(0)
    raise BusinessError(code)


def test_business_error_fields():
    e = BusinessError(2300028)
    assert e.code == 2300028 and e.message == "Operation timeout"
    assert BusinessError(401, "Parameter error: x").message == "Parameter error: x"
    assert BusinessError(2301111).message  # socket family: errno text
    assert "2300006" in str(BusinessError(2300006))


def test_numbered_messages():
    # the GET path raises with message numbers (netstack._msgt, loaded when a text is read)
    assert _err.param(8).message == "Parameter error: callback must be a function"
    assert _err.param("x bad").message == "Parameter error: x bad"
    assert _err.param(None).message == "Parameter error"
    assert BusinessError(2300028, 16, 500).message == "no complete response within 500 ms"
    e = BusinessError(2300023, 25, (9, 5))
    assert e.message == "body of 9 bytes exceeds maxLimit 5"
    assert str(e) == "BusinessError 2300023: body of 9 bytes exceeds maxLimit 5"
    assert repr(e) == "BusinessError(2300023, 'body of 9 bytes exceeds maxLimit 5')"

def test_op_runs_once_and_says_so():
    # run() and await both take an Op once; its repr tells which state it is in
    op = _aw.call(double(2), None)
    assert "not run yet" in repr(op)
    assert netstack.run(op) == 4
    assert "run already" in repr(op)
    with pytest.raises(BusinessError) as ei:
        netstack.run(op)
    assert ei.value.code == 401

    async def twice(op):
        first = await op
        try:
            await op
        except BusinessError as e:
            return first, e.code

    assert netstack.run(twice(_aw.call(double(5), None))) == (10, 401)


def test_run_returns_result_and_raises_error():
    assert netstack.run(double(21)) == 42
    with pytest.raises(BusinessError) as ei:
        netstack.run(fail(2300007))
    assert ei.value.code == 2300007


def test_run_rejects_non_awaitable():
    with pytest.raises(BusinessError) as ei:
        netstack.run(42)
    assert ei.value.code == 401


def test_callback_form_and_run_until_idle():
    got = []
    assert _aw.call(double(1), lambda e, d: got.append((e, d))) is None
    _aw.call(fail(2300006), lambda e, d: got.append((e.code, d)))
    netstack.run()
    assert got == [(None, 2), (2300006, None)]
    assert _aw._busy == 0


def test_callback_raising_does_not_break_the_loop(capsys):
    got = []

    def boom(e, d):
        raise RuntimeError("user bug")

    _aw.call(double(1), boom)
    _aw.call(double(2), lambda e, d: got.append(d))
    netstack.run()
    assert got == [4]
    out = capsys.readouterr()
    text = out.out + out.err
    assert "netstack: exception in result callback:" in text, text
    assert "RuntimeError: user bug" in text, text   # the exception itself, with its traceback
    assert _aw._busy == 0


def test_callback_and_listener_errors_go_to_the_test_mode_hook(monkeypatch, capsys):
    # _log.hook (what devtest's scripts use to consume the reports they expect): each
    # exception raised in a result callback or a listener reaches it once, with where it was
    from netstack import _log
    seen = []
    monkeypatch.setattr(_log, "hook", lambda e, where: seen.append((where, repr(e))))

    def boom(e, d):
        raise RuntimeError("user bug")

    _aw.call(double(1), boom)
    netstack.run()
    t = Thing()
    t.on("a", lambda x: 1 / 0)
    t._emit("a", 1)
    assert seen == [("result", "RuntimeError('user bug')"),
                    ("a", "ZeroDivisionError('division by zero')")], seen
    out = capsys.readouterr()
    assert "netstack:" not in out.out + out.err   # consumed by the hook: nothing printed


def test_callback_must_be_callable():
    with pytest.raises(BusinessError) as ei:
        _aw.call(double(1), "not a function")
    assert ei.value.code == 401


def test_library_bug_reaches_callback_as_internal_error():
    async def buggy():
        raise KeyError("x")
    got = []
    _aw.call(buggy(), lambda e, d: got.append(e.code))
    netstack.run()
    assert got == [2300999]


def test_awaitable_cancelled():
    async def slow():
        await asyncio.sleep(10)

    async def main():
        t = asyncio.ensure_future(slow())
        await asyncio.sleep(0)
        t.cancel()
        try:
            await t
        except asyncio.CancelledError:
            return "cancelled"
    assert netstack.run(main()) == "cancelled"


def test_cancelled_callback_operation_reports_and_releases():
    got = []

    async def main():
        _aw.call(asyncio.sleep(10), lambda e, d: got.append(e.message))
        await asyncio.sleep(0)
        for t in asyncio.all_tasks():
            if t is not asyncio.current_task():
                t.cancel()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    netstack.run(main())
    assert got == ["cancelled"] and _aw._busy == 0


def test_events_several_listeners_once_off():
    t, seen = Thing(), []
    f1 = lambda x: seen.append(("f1", x))
    f2 = lambda x: seen.append(("f2", x))
    t.on("a", f1)
    t.on("a", f2)
    t.once("b", f1)
    t.on("unknown", f1)  # ignored, no error
    t._emit("a", 1)
    t._emit("b", 2)
    t._emit("b", 3)
    t.off("a", f1)
    t._emit("a", 4)
    t.off("a")
    t._emit("a", 5)
    t.off("never-registered")
    assert seen == [("f1", 1), ("f2", 1), ("f1", 2), ("f2", 4)]


def test_listener_raising_is_reported_and_others_still_run():
    t, seen = Thing(), []

    def bad(x):
        raise ValueError("listener bug")
    t.on("a", bad)
    t.on("a", lambda x: seen.append(x))
    t._emit("a", 7)
    assert seen == [7]


@pytest.mark.parametrize("args", [(1, print), ("a", "notcallable"), (None, print)])
def test_on_wrong_arguments_raise_401(args):
    with pytest.raises(BusinessError) as ei:
        Thing().on(*args)
    assert ei.value.code == 401


def test_off_wrong_arguments_raise_401():
    with pytest.raises(BusinessError) as ei:
        Thing().off("a", 5)
    assert ei.value.code == 401


def test_lazy_submodules():
    import subprocess, sys, os
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = ("import sys, netstack; a = sorted(m for m in sys.modules if m.startswith('netstack'));"
            "netstack.websocket if False else None; print(a)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(root, "ports", "cpython"), os.path.join(root, "lib")]))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout
    assert "netstack.http" not in out and "netstack._client" not in out and "netstack._err" in out
