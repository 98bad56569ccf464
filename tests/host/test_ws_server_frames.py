# The functions a WebSocket server runs once per message keep their call frame on the C stack.
# MicroPython's fun_bc_call gc_allocs (and frees) a bytecode function's frame at every call
# when it is over 11 words: N_STATE (arguments, locals, the deepest value stack) plus 3 per
# try level (N_EXC_STACK) - ~800 instructions a call with one client, ~3x that with eight
# (a fragmented heap). `micropython -v -v` prints both for each function it compiles.
import os
import re
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MPY = os.path.join(ROOT, ".venv", "bin", "micropython")

pytestmark = pytest.mark.skipif(not os.path.exists(MPY), reason="needs the unix port")

# module -> functions on the per-message path of a plain (ws://) server: the parser's quick
# path, the reply's send (the facade's, whose common case is a generator's: _out; and the
# session's, a client's and the server's other cases)
PATH = {
    "netstack.proto.ws": ("next",),
    "netstack._ws_session": ("send_now",),
    "netstack._ws_server": ("send",),
}


def frames(module):
    out = subprocess.run([MPY, "-v", "-v", "-c", "import " + module],
                         cwd=os.path.join(ROOT, "lib"), capture_output=True, text=True,
                         timeout=60).stdout
    path = module.replace(".", "/") + ".py"
    res = {}
    for m in re.finditer(r"^File (\S+), code block '([^']+)'.*?\(N_STATE (\d+)\)\s*"
                         r"\(N_EXC_STACK (\d+)\)", out, re.M | re.S):
        if m.group(1).endswith(path):
            res.setdefault(m.group(2), []).append(int(m.group(3)) + 3 * int(m.group(4)))
    return res


@pytest.mark.parametrize("module", sorted(PATH))
def test_per_message_frames_fit_the_c_stack(module):
    f = frames(module)
    for name in PATH[module]:
        assert name in f, (module, name, sorted(f))
        assert max(f[name]) <= 11, "%s.%s: a %d-word frame (heap-allocated per call)" % (
            module, name, max(f[name]))
