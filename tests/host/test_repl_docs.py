# The REPL lines in boards/README.md ("The REPL over serial"), typed into the virtual board's
# friendly REPL one by one as a person would, against a local web server.
import functools
import http.server
import os
import re
import select
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "peers"))
from vboard import VBoard  # noqa: E402
from peers_ws import WsEcho  # noqa: E402


def doc_lines():
    with open(os.path.join(ROOT, "boards", "README.md")) as f:
        text = f.read()
    section = text.split("## 4. The REPL over serial", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    return [l for l in block.splitlines() if l.strip()]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def type_line(fd, line, timeout=30):
    os.write(fd, line.encode() + b"\r")
    out, deadline = b"", time.monotonic() + timeout
    while not out.endswith(b">>> ") and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            out += os.read(fd, 4096)
    assert out.endswith(b">>> "), "no prompt after %r: %r" % (line, out)
    return out.decode(errors="replace")


def test_repl_lines_in_the_docs_work_when_typed():
    lines = doc_lines()
    assert len(lines) >= 3 and all(len(l) <= 72 for l in lines), lines   # short enough to type
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                          functools.partial(Quiet, directory=ROOT))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    ws = WsEcho().start()
    try:
        with VBoard("192k", paths=[os.path.join(ROOT, "build", "lib")]) as vb:
            fd = os.open(vb.tty, os.O_RDWR | os.O_NOCTTY)
            try:
                type_line(fd, "")
                type_line(fd, "URL = 'http://127.0.0.1:%d/package.json'" % srv.server_address[1])
                type_line(fd, "WS = 'ws://127.0.0.1:%d/'" % ws.port)
                outs = [type_line(fd, l) for l in lines]
            finally:
                os.close(fd)
    finally:
        srv.shutdown()
        srv.server_close()
        ws.stop()
    for line, out in zip(lines, outs):
        assert "Traceback" not in out and "Error" not in out, (line, out)
    assert any(re.search(r"^200\r?$", o, re.M) for o in outs), outs       # responseCode
    assert any("'code': 200" in o for o in outs), outs                     # fetch success
    assert any(re.search(r"^hi\r?$", o, re.M) for o in outs), outs       # WebSocket echo
