#!/usr/bin/env python3
"""Run the device tests, tests/device/test_*.py: plain MicroPython scripts.

    python tools/devtest.py --mode unix --heapsize 110k [--lib build/lib] [--peers] [-k http]
    python tools/devtest.py --mode vboard --heapsize 192k    # through mpremote, tools/vboard.py
    python tools/devtest.py --mode board --port /dev/ttyACM0  # library deployed on the board

The runner puts one line `CFG = {...}` before the script (the peers' cfg with --peers, else
{}), so traceback line numbers are one more than in the file. A test passes iff it ends
normally and its last non-empty output line is exactly `OK`; a last line `SKIP reason` counts
as skipped; anything else (traceback, no OK, timeout) fails and its output is printed.
The library comes from --lib: on MICROPYPATH in unix mode, as the vboard's stand-in for frozen
modules in vboard mode; in board mode it must already be on the board (tools/deploy.py).
A vboard, like a board, sees no host files: use CFG's data (e.g. *_der_b64), not its *_path.

Directives, in the comment block at the top of a test:
    # timeout: 300        seconds (default --timeout, 120)
    # netns: isolated     unix mode runs it in its own network namespace with only loopback
                          (`unshare -rn`), so nothing can leave the box, nor reach the peers;
                          other modes skip it
    # include: NAME       tests/device/NAME.py is inlined before the script (shared helpers)
"""
import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from vboard import VBoard   # noqa: E402

BIN = os.path.join(ROOT, ".venv", "bin")
MPREMOTE = os.path.join(BIN, "mpremote")
NETNS = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
SHOWN_LINES = 100   # of a failing test's output


_netns_ok = None


def netns_available():
    global _netns_ok
    if _netns_ok is None:
        try:
            _netns_ok = subprocess.run(NETNS + ["true"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, timeout=10).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _netns_ok = False
    return _netns_ok


def directives(text):
    found = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = re.match(r"#\s*(timeout|netns|include)\s*:\s*(\S+)", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def peers_cfg(stack):
    sys.path.insert(0, os.path.join(ROOT, "tests", "peers"))
    try:
        from peers import Peers
    except ImportError as e:
        sys.exit("devtest: --peers needs tests/peers/peers.py with class Peers (%s)" % e)
    workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="devtest-peers-"))
    return stack.enter_context(Peers(workdir)).cfg


class Target:
    """How to run one script in a mode; `label` names it in the summary line."""

    def __init__(self, args, stack):
        self.mode, self.vboard, self.deaf = args.mode, None, False
        if args.mode == "board":
            self.label, self.port = "board " + args.port, args.port
            return
        self.label = "%s %s" % (args.mode, args.heapsize)
        lib = os.path.abspath(args.lib)
        if not os.path.isdir(lib):
            sys.exit("devtest: no library at %s (build it: tools/build_mpy.py)" % lib)
        if args.mode == "unix":
            self.cmd = [os.path.join(BIN, "micropython"), "-X", "heapsize=" + args.heapsize]
            self.env = dict(os.environ, MICROPYPATH=".frozen:" + lib)
        else:
            self.vboard = stack.enter_context(VBoard(args.heapsize, paths=[lib]))
            self.port = self.vboard.tty

    def command(self, script, isolated):
        if self.mode == "unix":
            return (NETNS if isolated else []) + self.cmd + [script], self.env
        return [MPREMOTE, "connect", self.port, "run", script], None

    def after_timeout(self):
        # The killed mpremote left the script running; the next connection's Ctrl-C stops it,
        # unless the script ignores Ctrl-C. A vboard has a reset button: use it, to be sure.
        # A real board's is out of reach: if it no longer answers, the rest can't run.
        if self.vboard:
            self.vboard.reset()
        elif self.mode == "board":
            probe = subprocess.run([MPREMOTE, "connect", self.port, "exec", "pass"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.deaf = probe.returncode != 0


def run_test(target, path, cfg_line, default_timeout, workdir):
    """-> (verdict, reason, output)"""
    with open(path) as f:
        text = f.read()
    opts = directives(text)
    netns = opts.get("netns")
    if netns not in (None, "isolated"):
        return "FAIL", "unknown directive '# netns: %s'" % netns, ""
    if netns and target.mode != "unix":
        return "SKIP", "needs a network namespace (unix mode only)", ""
    if netns and not netns_available():
        return "SKIP", "this machine cannot make a network namespace (unshare -rn, ip)", ""
    if target.deaf:
        return "FAIL", "not run: the board stopped answering after a timeout (reset it)", ""
    shared = ""
    if opts.get("include"):  # helpers several scripts share, inlined: a board has no tests/
        inc = os.path.join(os.path.dirname(path), opts["include"] + ".py")
        if not os.path.isfile(inc):
            return "FAIL", "no %s to include" % inc, ""
        with open(inc) as f:
            shared = f.read() + "\n"
    script = os.path.join(workdir, os.path.basename(path))
    with open(script, "w") as f:
        f.write(cfg_line + shared + text)
    try:
        timeout = float(opts.get("timeout", default_timeout))
    except ValueError:
        return "FAIL", "bad directive '# timeout: %s'" % opts["timeout"], ""
    cmd, env = target.command(script, isolated=bool(netns))
    try:
        p = subprocess.run(cmd, env=env, cwd=workdir, timeout=timeout,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except subprocess.TimeoutExpired as e:
        target.after_timeout()
        return "FAIL", "timeout after %gs" % timeout, (e.output or b"").decode(errors="replace")
    out = p.stdout.decode(errors="replace")
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    if p.returncode:
        return "FAIL", "exit status %d" % p.returncode, out
    if last == "OK":
        return "PASS", "", out
    if last == "SKIP" or last.startswith("SKIP "):
        return "SKIP", last[5:], out
    return "FAIL", "last line is not OK", out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("unix", "vboard", "board"), default="unix")
    ap.add_argument("--heapsize", default="192k", help="heap cap, unix and vboard modes")
    ap.add_argument("--port", help="the board's serial port, board mode")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"),
                    help="compiled library (default build/lib, from tools/build_mpy.py)")
    ap.add_argument("--dir", default=os.path.join(ROOT, "tests", "device"),
                    help="where the test_*.py scripts are")
    ap.add_argument("--peers", action="store_true", help="start tests/peers, pass their cfg")
    ap.add_argument("-k", dest="select", default="", help="only tests whose name contains this")
    ap.add_argument("--timeout", type=float, default=120, help="per test, in seconds")
    ap.add_argument("-v", "--verbose", action="store_true", help="show passing tests' output")
    args = ap.parse_args()
    if args.mode == "board" and not args.port:
        ap.error("--mode board needs --port")

    tests = sorted(name for name in os.listdir(args.dir)
                   if name.startswith("test_") and name.endswith(".py") and args.select in name)
    if not tests:
        sys.exit("devtest: no tests in %s match %r" % (args.dir, args.select))
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    with contextlib.ExitStack() as stack:
        target = Target(args, stack)
        cfg = peers_cfg(stack) if args.peers else {}
        cfg_line = "CFG = %r\n" % json.loads(json.dumps(cfg))   # JSON types only, as literals
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="devtest-"))
        for name in tests:
            t = time.monotonic()
            verdict, reason, out = run_test(target, os.path.join(args.dir, name), cfg_line,
                                            args.timeout, workdir)
            counts[verdict] += 1
            line = "%s %s (%.1fs)" % (verdict, name, time.monotonic() - t)
            print(line + (": " + reason if reason else ""), flush=True)
            if verdict == "FAIL" or args.verbose:
                lines = out.rstrip().splitlines()
                if len(lines) > SHOWN_LINES:
                    print("    ... (%d lines before)" % (len(lines) - SHOWN_LINES))
                for text in lines[-SHOWN_LINES:]:
                    print("    " + text)
    print("device[%s]: %d passed, %d failed, %d skipped" % (
        target.label, counts["PASS"], counts["FAIL"], counts["SKIP"]), flush=True)
    sys.exit(1 if counts["FAIL"] else 0)


if __name__ == "__main__":
    main()
