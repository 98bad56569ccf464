"""Runs gunicorn (argv[2:]) as a child that Linux signals when its parent dies
(PR_SET_PDEATHSIG), so a test run killed with SIGKILL cannot leave httpbin behind
holding a port. argv[1] is the parent's PID, to catch a parent that died already."""
import ctypes
import os
import signal
import sys

try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGQUIT)   # 1 = PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass                                                         # not Linux: best effort
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
del sys.path[0]        # this directory: keep our helper modules out of gunicorn's imports
sys.argv = ["gunicorn"] + sys.argv[2:]
from gunicorn.app.wsgiapp import run   # noqa: E402

run()
