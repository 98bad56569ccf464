#!/usr/bin/env python3
"""Run the device tests, tests/device/test_*.py: plain MicroPython scripts.

    python tools/devtest.py --mode unix --heapsize 192k [--lib build/lib] [--peers] [-k http]
    python tools/devtest.py --mode unix --heapsize 110k --code romfs   # code out of the heap
    python tools/devtest.py --mode vboard --heapsize 192k    # through mpremote, tools/vboard.py
    python tools/devtest.py --mode board --port /dev/ttyACM0  # library deployed on the board

The contract (tests/README.md says the same for test authors)
-------------------------------------------------------------
The runner sends each script with a prelude before it: with --code romfs one line that mounts
the library's ROMFS image (below), then one line `CFG = {...}` (the peers' cfg with --peers,
else {}), then any `# include:` file; a failing test's report says how many lines that added,
so traceback line numbers can be mapped back to the file.

A script PASSES iff all of these hold:
  - it ends normally (exit status 0, no timeout) and its last non-empty output line is `OK`;
  - its output has no traceback ("Traceback (most recent call last):"), so an exception in a
    background asyncio task ("Task exception wasn't retrieved") fails it even if OK follows;
  - the library reported no exception raised inside a user callback or listener: the library
    catches those and prints "netstack: exception in <where> callback:" (netstack._log.report).
    A test that raises in a callback on purpose consumes the report through the test-mode
    hook instead: `_log.hook = lambda e, where: seen.append((where, e))`, then asserts on it
    (while the hook is set nothing is printed);
  - no line other than the last starts with `SKIP` or `skip` (a scenario skipped inside a
    script is a failure, not a quiet pass).
A script whose last line is `SKIP reason` is SKIPPED; the runner skips on its own only where
a directive cannot be honoured (a `netns` script outside unix mode or without namespaces).
Every skip is listed with its reason in the summary line, and a skip must match an entry of
tests/device/expected_skips.txt (test name, rows, reason prefix): any other skip fails the run.
A script that cannot fit a board's heap must not skip: make the limit a documented error and
test that it fails with that code.
Everything else FAILS, and its output is printed (the last SHOWN_LINES lines).

Code placement (--code): `mpy` (default) puts --lib (the .mpy tree from tools/build_mpy.py) on
MICROPYPATH in unix mode, and mounts it as the vboard's stand-in for frozen modules in vboard
mode: the bytecode loads into the heap, as .mpy files copied to a board's flash do. `romfs`
builds a ROMFS image of --lib (`mpremote romfs build`) and mounts it at /rom, first on
sys.path, as a board with a ROMFS partition does: the image is read into one bytearray of its
exact size and the heap cap is raised by that size (on a board the image is in flash), so the
heap the library and test see is --heapsize. In board mode the library must already be on the
board (tools/deploy.py); --code does not apply.
A vboard, like a board, sees no host files: use CFG's data (e.g. *_der_b64), not its *_path.

Directives, in the comment block at the top of a test:
    # timeout: 300        seconds (default --timeout, 120)
    # netns: isolated     unix mode runs it in its own network namespace with only loopback
                          (`unshare -rn`), so nothing can leave the box, nor reach the peers;
                          other modes skip it
    # include: NAME       tests/device/NAME.py is inlined before the script (shared helpers;
                          several such lines: each, in order)

The last output line is the row's summary: counts, then every skip with its reason, e.g.
    device[unix 110k romfs]: 15 passed, 0 failed, 1 skipped (test_ipv6.py: ... [expected])
Exit status 0 iff nothing failed and every skip was expected.
"""
import argparse
import contextlib
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from vboard import VBoard, romfs_heapsize   # noqa: E402

BIN = os.path.join(ROOT, ".venv", "bin")
MPREMOTE = os.path.join(BIN, "mpremote")
NETNS = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
SHOWN_LINES = 100   # of a failing test's output
EXPECTED_SKIPS = os.path.join(ROOT, "tests", "device", "expected_skips.txt")

# Output that fails a script whatever its last line says (see the contract above).
TRACEBACK = "Traceback (most recent call last):"
CALLBACK_REPORT = "netstack: exception in "     # netstack._log.report, hook not set
TASK_LOST = "Task exception wasn't retrieved"   # MicroPython asyncio, a background task died


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
            if m.group(1) == "include":  # (several: each inlined, in order)
                found.setdefault("include", []).append(m.group(2))
            else:
                found[m.group(1)] = m.group(2)
    return found


def load_expected(path=EXPECTED_SKIPS):
    """-> [(test glob, [row globs], reason prefix)] from the expected-skip list."""
    entries = []
    if not os.path.isfile(path):
        return entries
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) != 3:
                sys.exit("devtest: %s:%d: want 'TEST ROWS REASON'" % (path, n))
            entries.append((parts[0], parts[1].split(","), parts[2]))
    return entries


def skip_expected(entries, name, row, reason):
    """row: 'unix 110k romfs', 'vboard 192k mpy', 'board PORT', 'host' ... A row glob matches
    the row's words joined by ':' (unix:110k:romfs), so 'unix*' or '*:110k:*' work."""
    key = row.replace(" ", ":")
    for test, rows, prefix in entries:
        if fnmatch.fnmatch(name, test) and any(fnmatch.fnmatch(key, r) for r in rows) \
                and reason.startswith(prefix):
            return True
    return False


def peers_cfg(stack):
    # the peers run as their own program (tools/peerproc.py): tools do not import tests/
    from peerproc import running_peers
    workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="devtest-peers-"))
    return stack.enter_context(running_peers(workdir))


def build_romfs(lib, out):
    """ROMFS image of the compiled library (its .mpy files as they are) -> its size."""
    p = subprocess.run([MPREMOTE, "romfs", "--no-mpy", "--output", out, "build", lib],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode or not os.path.isfile(out):
        sys.exit("devtest: mpremote romfs build failed:\n" + p.stdout)
    return os.path.getsize(out)


def romfs_prelude(image, size):
    """One line: mount the image at /rom as a board does at boot (before anything else, so the
    bytearray sits at the bottom of the heap); the heap cap already counts its size."""
    return ("import vfs, sys; _b = bytearray(%d); _f = open(%r, 'rb'); _f.readinto(_b); "
            "_f.close(); vfs.mount(vfs.VfsRom(_b), '/rom'); sys.path.insert(0, '/rom'); "
            "del _b, _f, vfs, sys\n" % (size, image))


class Target:
    """How to run one script in a mode; `label` names the row in the summary."""

    def __init__(self, args, stack):
        self.mode, self.vboard, self.deaf, self.prelude = args.mode, None, False, ""
        if args.mode == "board":
            self.label, self.port = "board " + args.port, args.port
            return
        self.label = "%s %s %s" % (args.mode, args.heapsize, args.code)
        lib = os.path.abspath(args.lib)
        if not os.path.isdir(lib):
            sys.exit("devtest: no library at %s (build it: tools/build_mpy.py)" % lib)
        heap, paths, image = args.heapsize, [lib], None
        if args.code == "romfs":
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="devtest-romfs-"))
            image = os.path.join(tmp, "netstack.romfs")
            size = build_romfs(lib, image)
            heap, paths = romfs_heapsize(args.heapsize, size), []
            self.label += " (image %d B)" % size
        if args.mode == "unix":
            self.cmd = [os.path.join(BIN, "micropython"), "-X", "heapsize=" + heap]
            self.env = dict(os.environ, MICROPYPATH=".frozen" + "".join(":" + p for p in paths))
            if image:
                self.prelude = romfs_prelude(image, size)
        else:
            self.vboard = stack.enter_context(VBoard(args.heapsize, paths=paths, romfs=image))
            self.port = self.vboard.tty

    def row(self):
        return self.label.split(" (")[0]

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


def judge(out, returncode):
    """The verdict on one script's output: -> (PASS|FAIL|SKIP, reason). Shared by every way of
    running a script (unix, vboard, board; a board farm's runner should call it too)."""
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    if returncode:
        return "FAIL", "exit status %d" % returncode
    for line in lines:  # `in`, not startswith: stderr and stdout can share a line
        if TASK_LOST in line:
            return "FAIL", "an exception in a background asyncio task: " + line
        if CALLBACK_REPORT in line:
            return "FAIL", "a callback raised and the library swallowed it (%s)" % line
        if TRACEBACK in line:
            return "FAIL", "a traceback in the output"
    for line in lines[:-1]:
        if re.match(r"(?i)skip\b", line):
            return "FAIL", "a scenario skipped inside the script: " + line
    if last == "OK":
        return "PASS", ""
    if last == "SKIP" or last.startswith("SKIP "):
        return "SKIP", last[5:] or "(no reason given)"
    return "FAIL", "last line is not OK"


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
    for name in opts.get("include", ()):  # helpers several scripts share, inlined: a board
        inc = os.path.join(os.path.dirname(path), name + ".py")  # has no tests/
        if not os.path.isfile(inc):
            return "FAIL", "no %s to include" % inc, ""
        with open(inc) as f:
            shared += f.read() + "\n"
    script = os.path.join(workdir, os.path.basename(path))
    head = target.prelude + cfg_line + shared
    with open(script, "w") as f:
        f.write(head + text)
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
    verdict, reason = judge(out, p.returncode)
    if verdict == "FAIL":
        reason += " [script line = traceback line - %d]" % head.count("\n")
    return verdict, reason, out


def summary(label, counts, skips):
    """The row's last line: counts, then each skip with its reason and whether it's listed."""
    line = "device[%s]: %d passed, %d failed, %d skipped" % (
        label, counts["PASS"], counts["FAIL"], counts["SKIP"])
    bad = sum(1 for s in skips if not s[2])
    if bad:
        line += ", %d NOT EXPECTED" % bad
    if skips:
        line += " (%s)" % "; ".join("%s: %s [%s]" % (name, reason, "expected" if ok else
                                                      "NOT in expected_skips.txt")
                                    for name, reason, ok in skips)
    return line


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("unix", "vboard", "board"), default="unix")
    ap.add_argument("--heapsize", default="192k", help="heap cap, unix and vboard modes")
    ap.add_argument("--code", choices=("mpy", "romfs"), default="mpy",
                    help="where the library's bytecode lives: .mpy in the heap, or a ROMFS image")
    ap.add_argument("--port", help="the board's serial port, board mode")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"),
                    help="compiled library (default build/lib, from tools/build_mpy.py)")
    ap.add_argument("--dir", default=os.path.join(ROOT, "tests", "device"),
                    help="where the test_*.py scripts are")
    ap.add_argument("--peers", action="store_true", help="start tests/peers, pass their cfg")
    ap.add_argument("-k", dest="select", default="", help="only tests whose name contains this")
    ap.add_argument("--timeout", type=float, default=120, help="per test, in seconds")
    ap.add_argument("--expected-skips", default=EXPECTED_SKIPS,
                    help="the list of allowed skips (default tests/device/expected_skips.txt)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show passing tests' output")
    args = ap.parse_args()
    if args.mode == "board" and not args.port:
        ap.error("--mode board needs --port")

    tests = sorted(name for name in os.listdir(args.dir)
                   if name.startswith("test_") and name.endswith(".py") and args.select in name)
    if not tests:
        sys.exit("devtest: no tests in %s match %r" % (args.dir, args.select))
    expected = load_expected(args.expected_skips)
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    skips = []
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
            if verdict == "SKIP":
                skips.append((name, reason, skip_expected(expected, name, target.row(), reason)))
            line = "%s %s (%.1fs)" % (verdict, name, time.monotonic() - t)
            print(line + (": " + reason if reason else ""), flush=True)
            if verdict == "FAIL" or args.verbose:
                lines = out.rstrip().splitlines()
                if len(lines) > SHOWN_LINES:
                    print("    ... (%d lines before)" % (len(lines) - SHOWN_LINES))
                for text in lines[-SHOWN_LINES:]:
                    print("    " + text)
    print(summary(target.label, counts, skips), flush=True)
    sys.exit(1 if counts["FAIL"] or not all(ok for _, _, ok in skips) else 0)


if __name__ == "__main__":
    main()
