#!/usr/bin/env python3
"""`make mutate`: does the test suite still have teeth? Put one deliberate bug at a time into
the protocol and engine code, run the tests that cover that code (host tests on CPython, then
device scripts on the MicroPython unix port), and require that some test fails.

    python tools/mutate.py [--list] [-k NAME]

Each mutant is an exact snippet of lib/ and its buggy replacement. The snippet is looked up in
every lib/ file (so a module may be renamed or moved without touching this list); it must
occur exactly once, else the mutant is STALE and the check fails: update the snippet when the
code changes. The library is restored after each mutant (also on Ctrl-C). Prints, for each
mutant, the first test that caught it on each runtime (host, device); a mutant survives if
the host tests or its listed device scripts all pass; exits 1 if any survived or is stale.
Bounded: host tests run with -x over the few files that cover the mutated code, device
scripts at 192k from .mpy; the whole check takes a few minutes.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "lib")
PY = os.path.join(ROOT, ".venv", "bin", "python")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import build_mpy   # noqa: E402

# (name, snippet, replacement, host test files, device scripts (-k for devtest))
MUTANTS = [
    ("303 -> GET only for POST",
     'if status == 303 or (status in (301, 302) and method == "POST"):',
     'if (status == 303 and method == "POST") or (status in (301, 302) and method == "POST"):',
     ["tests/host/test_http.py"], ["test_http.py"]),
    ("maxLimit not capped at 100 MiB",
     "min(ml, _MAX_LIMIT_CAP)", "ml",
     ["tests/host/test_http.py"], ["test_http.py"]),
    ("Content-Length equal to maxLimit refused",
     "if limit is not None and length > limit:", "if limit is not None and length >= limit:",
     ["tests/host/test_http.py"], ["test_http.py"]),
    ("callback errors not reported",
     '    print("netstack: exception in %s callback:" % where)\n',
     "    return\n",
     # a device script cannot read its own output: test_devtest runs one whose callback
     # raises and needs the runner to fail it, which takes the printed report
     ["tests/host/test_core.py", "tests/host/test_devtest.py"], []),
    ("a result callback's exception dropped, not reported",
     '        _err.report(e, "result")\n', "        pass\n",
     ["tests/host/test_core.py"], ["test_core.py"]),
    ("NUL/CR in a chunk extension accepted",
     'if buf.find(b"\\r", i, e) >= 0 or buf.find(b"\\x00", i, e) >= 0:',
     "if False:",
     ["tests/host/test_proto_http1.py", "tests/host/test_http.py"],
     ["test_proto_http1.py", "test_http.py"]),
    ("hex digits a-f in chunk sizes off by one",
     "c -= 87", "c -= 86",
     ["tests/host/test_proto_http1.py", "tests/host/test_http.py"],
     ["test_proto_http1.py", "test_http.py"]),
    ("one redirect more than maxRedirects followed",
     "if x.redirects >= x.max_redirects:", "if x.redirects > x.max_redirects:",
     ["tests/host/test_http.py"], ["test_http.py"]),
    ("decoded body loses its last 3 bytes",
     "                return out.value()\n", "                return out.value()[:-3]\n",
     ["tests/host/test_http.py", "tests/host/test_fetch.py"], ["test_decode"]),
]


def find(snippet):
    """-> [(path, text)] of the lib/ files holding snippet, with the count in each."""
    hits = []
    for top, dirs, files in os.walk(LIB):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(top, name)
                with open(path) as f:
                    text = f.read()
                hits += [(path, text)] * text.count(snippet)
    return hits


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 1, "TIMEOUT " + " ".join(cmd)
    return p.returncode, p.stdout


def caught_by_host(files):
    rc, out = run([PY, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",]
                  + files, 600)
    if rc == 0:
        return None
    m = re.search(r"^(?:FAILED|ERROR) (\S+)", out, re.M)
    return "host " + (m.group(1) if m else "pytest exit %d" % rc)


def caught_by_device(scripts, libdir):
    shutil.rmtree(libdir, ignore_errors=True)
    try:
        build_mpy.build(LIB, libdir)
    except SystemExit as e:
        return "build: %s" % e
    for k in scripts:
        rc, out = run([PY, "tools/devtest.py", "--mode", "unix", "--heapsize", "192k", "--lib",
                       libdir, "--peers", "-k", k], 600)
        if rc:  # the first failing script, and the last line of its output (the error)
            lines = out.splitlines()
            at = next((i for i, l in enumerate(lines) if l.startswith("FAIL ")), None)
            if at is None:
                return "device unix 192k: devtest exit %d: %s" % (rc, out[-200:])
            shown = [lines[at]]
            for l in lines[at + 1:]:
                if not l.startswith("    "):
                    break
                if l.strip():
                    shown.append(l.strip())
            return "device unix 192k %s: %s" % (lines[at].split()[1], shown[-1][:160])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("-k", dest="select", default="", help="only mutants whose name has this")
    args = ap.parse_args()
    mutants = [m for m in MUTANTS if args.select in m[0]]
    if args.list:
        for m in mutants:
            print("%s: %r -> %r" % (m[0], m[1], m[2]))
        return
    bad = 0
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        for name, snippet, repl, host, device in mutants:
            t = time.monotonic()
            hits = find(snippet)
            if len(hits) != 1:
                print("STALE   %s: the snippet occurs %d times in lib/ (want 1)" % (name, len(hits)),
                      flush=True)
                bad += 1
                continue
            path, text = hits[0]
            try:
                with open(path, "w") as f:
                    f.write(text.replace(snippet, repl))
                by_host = caught_by_host(host)
                by_dev = device and caught_by_device(device, os.path.join(tmp, "lib"))
            finally:
                with open(path, "w") as f:
                    f.write(text)
            where = os.path.relpath(path, ROOT)
            # caught on each runtime that has tests for it (device: none listed -> host only)
            ok = by_host and (by_dev or not device)
            bad += not ok
            print("%s %s [%s] (%.0fs)\n    host:   %s\n    device: %s" % (
                "caught  " if ok else "SURVIVED", name, where, time.monotonic() - t,
                by_host or "NOT CAUGHT", by_dev or ("NOT CAUGHT" if device else "(no device check)")),
                flush=True)
    print("mutate: %d mutants, %d caught, %d survived or stale (%.0fs)" % (
        len(mutants), len(mutants) - bad, bad, time.monotonic() - t0))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
