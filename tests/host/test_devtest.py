# The device runner's verdicts (tools/devtest.py): what passes, fails and skips, checked on
# its judge() and end to end on the MicroPython unix port with small scripts that each break
# one rule. (The runner must not pass a script that printed an error before OK.)
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import devtest  # noqa: E402

MPY = os.path.join(ROOT, ".venv", "bin", "micropython")


@pytest.mark.parametrize("out,rc,verdict,why", [
    ("a\nOK\n", 0, "PASS", ""),
    ("a\nOK\n\n", 0, "PASS", ""),
    ("a\nnot ok\n", 0, "FAIL", "last line is not OK"),
    ("", 0, "FAIL", "last line is not OK"),
    ("OK\n", 1, "FAIL", "exit status 1"),
    ("Traceback (most recent call last):\n  File \"x\"\nValueError\nOK\n", 0, "FAIL", "traceback"),
    ("Task exception wasn't retrieved\nOK\n", 0, "FAIL", "background asyncio task"),
    ("OKTask exception wasn't retrieved\nfuture: <Task>\nValueError: x\n", 0, "FAIL", "asyncio task"),
    ("netstack: exception in result callback:\nOK\n", 0, "FAIL", "callback raised"),
    ("skip two_in_flight: heap too small\nOK\n", 0, "FAIL", "skipped inside"),
    ("SKIP part\nOK\n", 0, "FAIL", "skipped inside"),
    ("x\nSKIP needs a board\n", 0, "SKIP", "needs a board"),
    ("SKIP\n", 0, "SKIP", "(no reason given)"),
    ("skipped 3 lines of output\nOK\n", 0, "PASS", ""),   # 'skipped' is not the word 'skip'
])
def test_judge(out, rc, verdict, why):
    v, reason = devtest.judge(out, rc)
    assert v == verdict and why in reason, (v, reason)


def test_expected_skip_matching(tmp_path):
    f = tmp_path / "skips.txt"
    f.write_text("# comment\ntest_ipv6.py  vboard*,board*  needs a network namespace\n"
                 "test_x.py  *:110k:*  no such thing\n")
    e = devtest.load_expected(str(f))
    assert devtest.skip_expected(e, "test_ipv6.py", "vboard 110k romfs", "needs a network namespace (unix)")
    assert devtest.skip_expected(e, "test_ipv6.py", "board /dev/ttyACM0", "needs a network namespace")
    assert not devtest.skip_expected(e, "test_ipv6.py", "unix 192k mpy", "needs a network namespace")
    assert not devtest.skip_expected(e, "test_ipv6.py", "vboard 192k mpy", "heap too small")
    assert devtest.skip_expected(e, "test_x.py", "unix 110k romfs", "no such thing here")
    assert not devtest.skip_expected(e, "test_x.py", "unix 192k mpy", "no such thing here")


SCRIPTS = {
    # name: (script, verdict, words of the reason)
    "test_ok.py": ("print('OK')", "PASS", ""),
    "test_cb_assert.py": ("""
        import netstack
        from netstack import _aw
        async def one():
            return 1
        def cb(e, d):
            assert d == 2, "wrong value"
        _aw.call(one(), cb)
        netstack.run()
        print('OK')""", "FAIL", "callback raised"),
    "test_cb_hooked.py": ("""
        import netstack
        from netstack import _aw, _log
        seen = []
        _log.hook = lambda e, where: seen.append(where)
        async def one():
            return 1
        def cb(e, d):
            raise ValueError('expected')
        _aw.call(one(), cb)
        netstack.run()
        assert seen == ['result'], seen
        print('OK')""", "PASS", ""),
    "test_task.py": ("""
        import asyncio
        async def bad():
            raise ValueError('lost in a background task')
        async def main():
            asyncio.create_task(bad())
            await asyncio.sleep_ms(20)
        asyncio.run(main())
        print('OK')""", "FAIL", "background asyncio task"),
    "test_inner_skip.py": ("print('skip scenario_b: no room')\nprint('OK')", "FAIL", "skipped inside"),
    "test_skip_listed.py": ("print('SKIP listed reason')", "SKIP", "listed reason"),
    "test_skip_unlisted.py": ("print('SKIP heap too small')", "SKIP", "heap too small"),
}


@pytest.mark.skipif(not os.path.exists(MPY), reason="no .venv/bin/micropython")
def test_runner_end_to_end(tmp_path):
    for name, (body, _, _) in SCRIPTS.items():
        (tmp_path / name).write_text(textwrap.dedent(body).lstrip() + "\n")
    skips = tmp_path / "skips.txt"
    skips.write_text("test_skip_listed.py  unix*  listed reason\n")
    lib = os.path.join(ROOT, "lib")   # plain .py: MicroPython compiles it on import
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "devtest.py"), "--mode",
                        "unix", "--heapsize", "512k", "--lib", lib, "--dir", str(tmp_path),
                        "--expected-skips", str(skips)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    lines = p.stdout.splitlines()
    for name, (_, verdict, why) in SCRIPTS.items():
        line = next(l for l in lines if l.startswith(("PASS ", "FAIL ", "SKIP ")) and " %s " % name in l)
        assert line.startswith(verdict + " ") and why in line, (name, line)
    assert p.returncode == 1   # failures, and one skip that is not on the list
    summary = lines[-1]
    assert summary.startswith("device[unix 512k mpy]: 2 passed, 3 failed, 2 skipped, 1 NOT EXPECTED")
    assert "test_skip_listed.py: listed reason [expected]" in summary, summary
    assert "test_skip_unlisted.py: heap too small [NOT in expected_skips.txt]" in summary
