# A webSocket client at the edge of the heap (MicroPython unix port, code from ROMFS and as
# .mpy, against a CPython echo peer): at every heap from where nothing fits up to where the
# echo passes, a connect either ends in the echo, or gives the error and close events, or
# raises at a call (MemoryError). Never silence (until 2026-12-07 a MemoryError in the
# session's task outside _open's reporting, e.g. loading _ws_clientx to report, ended the
# task unseen: no event, netstack.run() returned; 22 of 94 ROMFS heaps between 30K and 42K)
# and never a hang (netstack.run()'s idle wait was never woken where binding _port.wake
# at its first use ran out of memory). Two programs: one that waits in coroutines of its
# own (asyncio loads, the session moves onto its loop) and one whose listeners do the work
# (the session on _port's one-task loop, asyncio never loaded: bench/ws_ram.py's echo).
import os
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LIB = os.path.join(ROOT, "build", "lib")
MPY = os.path.join(ROOT, ".venv", "bin", "micropython")
sys.path.insert(0, os.path.join(ROOT, "bench"))

pytestmark = pytest.mark.skipif(not os.path.isdir(LIB), reason="needs build/lib (make mpy)")

PROG = r'''
import sys, netstack
from netstack import webSocket
ev = []
def nop(e, d):
    pass
try:
    ws = webSocket.createWebSocket()
    ws.on("open", lambda o: ev.append("open"))
    ws.on("message", lambda m: ev.append("message"))
    ws.on("close", lambda r: ev.append("close"))
    ws.on("error", lambda e: ev.append("error"))
    netstack.run(ws.connect(sys.argv[1], {"pingInterval": 0}))
    async def until(what):
        for i in range(300):
            if what in ev or "close" in ev:
                return
            await netstack._port.sleep_ms(10)
    netstack.run(until("open"))
    if "open" in ev:
        ws.send("a" * 64, nop)
        netstack.run(until("message"))
        ws.close(None, nop)
    netstack.run()
    print("END", ev)
except Exception as e:  # (MemoryError; ImportError where asyncio itself failed to load)
    print("RAISED", type(e).__name__)
'''
SOLO = r'''
import sys, netstack
from netstack import webSocket
ev = []
def nop(e, d):
    pass
def opened(o):  # (a listener that fails ends the program: a session it did not write to
    try:        # would stay open)
        ev.append("open")
        ws.send("a" * 64, nop)
    except Exception:
        raise SystemExit(3)
def echoed(m):
    try:
        ev.append("message")
        ws.close(None, nop)
    except Exception:
        raise SystemExit(3)
try:
    ws = webSocket.createWebSocket()
    ws.on("open", opened)
    ws.on("message", echoed)
    ws.on("close", lambda r: ev.append("close"))
    ws.on("error", lambda e: ev.append("error"))
    netstack.run(ws.connect(sys.argv[1], {"pingInterval": 0}))
    netstack.run()
    assert "asyncio" not in sys.modules
    print("END", ev)
except Exception as e:  # (MemoryError)
    print("RAISED", type(e).__name__)
'''


def _sweep(tmp, url, lo, step, rom):
    # from heap lo up in steps until the echo passed 3 times in a row -> {outcome: count}
    got = {}
    ok = 0
    h = lo
    for _ in range(120):
        args = ["-X", "heapsize=%d" % h, "-m", "edge_prog", url]
        path = LIB + ":" + tmp
        if rom:
            img, size = rom
            args = ["-X", "heapsize=%d" % (h + (size + 15) // 16 * 16 + 64), "-m", "mp_rom", img,
                    str(size), "edge_prog", url]
            path = tmp
        echoed = False
        try:
            p = subprocess.run([MPY] + args, env=dict(os.environ, MICROPYPATH=path + ":.frozen"),
                               cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=15)
            last = [ln for ln in p.stdout.splitlines() if ln.startswith(("END", "RAISED"))]
            if not last and p.returncode == 3:
                kind = "reported"  # (a listener's send or close raised: SOLO)
            elif not last and p.stdout.rstrip().endswith("MemoryError: memory allocation failed, "
                                                       "allocating %s bytes" % p.stdout.split()[-2]):
                kind = "reported"  # (raised at a call, and then the program's own print too)
            elif not last:
                kind = "no end: " + p.stdout[-300:]
            elif last[0].startswith("RAISED") or last[0] == "END ['error', 'close']":
                kind = "reported"
            elif last[0] == "END ['open', 'message', 'close']":
                kind = echoed = "echo"
            else:
                kind = last[0]  # (silence: "END []")
        except subprocess.TimeoutExpired:
            kind = "hang"
        got.setdefault(kind, []).append(h)
        ok = ok + 1 if echoed else 0
        if ok >= 3:
            break
        h += step
    return got


@pytest.fixture(scope="module")
def echo():
    import ws_run
    e = ws_run.Echo()
    yield "ws://127.0.0.1:%d/" % e.port
    e.close()


@pytest.mark.parametrize("prog", ["asyncio", "solo"])
@pytest.mark.parametrize("code", ["romfs", "mpy"])
def test_connect_at_the_heaps_edge_reports_or_raises(echo, code, prog):
    import ram
    import run as bench
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "edge_prog.py"), "w") as f:
            f.write(PROG if prog == "asyncio" else SOLO)
        rom = None
        lo = 40000
        if code == "romfs":
            bench.mpy_cross(os.path.join(ROOT, "bench", "mp_rom.py"), os.path.join(tmp, "mp_rom.mpy"))
            img = os.path.join(tmp, "netstack.romfs")
            rom = (img, ram.romfs(LIB, img))
            lo = 26000
        got = _sweep(tmp, echo, lo, 256, rom)
        bad = {k: v for k, v in got.items() if k not in ("echo", "reported")}
        assert not bad, (code, bad)
        assert "echo" in got and "reported" in got, got  # (the sweep crossed the edge)
