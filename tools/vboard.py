#!/usr/bin/env python3
"""Virtual board: the MicroPython unix port behind a pseudo-terminal, so that mpremote drives
it exactly as it drives a board on /dev/ttyACM0.

    python tools/vboard.py --heapsize 110k --link /tmp/vb/tty [--cwd FLASH] [--path DIR ...]
    python tools/vboard.py --heapsize 110k --romfs IMAGE  # a board with a ROMFS partition
    python tools/vboard.py --heapsize 110k --rom-partition FILE   # ... that mpremote writes
    mpremote connect /tmp/vb/tty run script.py        # also exec, fs cp, mount, repl ...

    from vboard import VBoard                         # with tools/ on sys.path
    with VBoard("110k", paths=["build/lib"]) as vb:   # or vb.start() ... vb.stop()
        subprocess.run(["mpremote", "connect", vb.tty, "run", "x.py"])

What makes the unix port behave like a board:
- Filesystem: every boot mounts the flash dir (--cwd, default a fresh temp dir) at "/" with
  VfsPosix, so "/", "/lib", `fs cp x.py :` and `fs cp -r lib :/lib` land in that dir, never on
  the host; `os.stat('')` works as on a board. sys.path is a board's
  ['', '.frozen', ..., '/lib'] with each --path dir mounted read-only at /.vboardN standing in
  for frozen modules (MICROPYPATH can't do it: host paths don't exist once the flash is "/").
  Like a real board, the board sees no host files: tests must get data, not host file names.
- ROMFS (--romfs IMAGE, from `mpremote romfs --output IMAGE build DIR`): every boot reads the
  image into one bytearray of its exact size, mounts it with vfs.VfsRom at /rom and puts /rom
  and /rom/lib first on sys.path after '' and '.frozen', as a board with a ROMFS partition
  does; imports run the bytecode in place. The heap cap is raised by the image's size (on a
  board the image is in flash, not in the heap), so the heap left is --heapsize.
  --rom-partition FILE (a host file, ROM_PARTITION_BYTES) is a writable ROMFS partition instead:
  vfs.rom_ioctl is there as on a board, so `mpremote romfs deploy DIR` (tools/deploy.py
  MODE=romfs) writes FILE, and every boot mounts the image FILE holds, as --romfs does.
- Soft reset: the unix port exits on Ctrl-D (raw or friendly REPL) and on SystemExit. The
  supervisor restarts it with the same heap cap, prints "MPY: soft reboot" and, if the raw REPL
  was active, enters it again quietly so that only "raw REPL; CTRL-B to exit\r\n>" shows, as on
  a board. If it died while mpremote awaited the end of a reply, the reply is ended with an
  error first, so mpremote fails instead of waiting forever.
- Ctrl-C: the unix port only gets KeyboardInterrupt from SIGINT, and its REPL keeps the tty raw
  while raw-REPL code runs. A board's UART turns 0x03 into an interrupt exactly while the
  interrupt char is enabled (micropython.kbd_intr), and the unix port installs its SIGINT
  handler exactly then: so 0x03 becomes SIGINT when /proc/PID/status shows that handler, and
  is passed on as data otherwise (idle prompt, mpremote's mount protocol, kbd_intr(-1)).
- Output: bare "\n" is sent as "\r\n". mpremote's mount protocol is binary, so once the process
  sends its first frame (0x18) output passes untranslated until the next reboot.
- Input sent while a process boots is held until it shows its prompt.
Known differences: no boot.py/main.py; `fs ls` shows sizes as 0 (VfsPosix.ilistdir has none);
imports through the VfsPosix mounts leave a few KB more transient garbage than the bare unix
port's (a test on the edge of a heap cap can pass in devtest's unix mode and not here).
"""
import argparse
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tty

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")

RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n"
FRIENDLY_BANNER = b'Type "help()" for more information.\r\n'   # printed on entering it
FRIENDLY_PROMPT = b">>> "
UNIX_BANNER = b"MicroPython "      # a process's first output, unless boot code failed
OUT_MAX = 1 << 16                  # past this much unread output, stop reading the process
BOOT_TIMEOUT = 15


def heap_bytes(heapsize):
    """'110k' -> 112640, as micropython -X heapsize reads it (k, m suffixes)."""
    m = re.fullmatch(r"(\d+)([kKmM]?)", heapsize.strip())
    if not m:
        raise ValueError("bad heap size %r" % heapsize)
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20}[m.group(2).lower()]


def romfs_heapsize(heapsize, image_size):
    """The heap cap that leaves `heapsize` once a ROMFS image of image_size bytes is read into
    the heap (a board keeps it in flash): the image's 16-byte GC blocks and the bytearray."""
    return str(heap_bytes(heapsize) + (image_size + 15) // 16 * 16 + 64)


def boot_code(paths, romfs=None, romfs_size=0):
    """Python each new process runs before its REPL: the board's filesystem and sys.path."""
    mounts = ["/.vboard%d" % i for i in range(len(paths))]
    lines = ["import os, sys" + (", vfs" if romfs else "")]
    rom = []
    if romfs:   # first, so the image sits at the bottom of the heap, as if it were not there
        lines += ["rom = bytearray(%d)" % romfs_size,
                  "with open(%r, 'rb') as f: f.readinto(rom)" % romfs, ""]
        rom = ["/rom", "/rom/lib"]
    lines += ["flash = os.VfsPosix(os.getcwd())", "os.umount('/')", "os.mount(flash, '/')"]
    if romfs:
        lines += ["os.mount(vfs.VfsRom(rom), '/rom')", "del rom, f, vfs"]
    lines += ["os.mount(os.VfsPosix(%r), %r, readonly=True)" % pm for pm in zip(paths, mounts)]
    lines += ["os.chdir('/')", "sys.path[:] = %r" % (["", ".frozen"] + rom + mounts + ["/lib"]),
              "del os, sys, flash"]
    return "\n".join(lines)


ROM_PARTITION_BYTES = 256 * 1024
ROMFS_MAGIC = b"\xd2\xcd\x31"

# vfs.rom_ioctl for --rom-partition, as MicroPython's ports implement it for mpremote: 1 the
# number of partitions, 2 the partition (its len() is its size: a range() costs no heap),
# 3 prepare a write (erase at offset 0) -> the minimum write size, 4 write at an offset,
# 5 end of writing, 6 block size. A board's `vfs` is built in; here an object with the real
# module's names plus rom_ioctl stands in for it in sys.modules, which `import vfs` consults
# first. (Not a class with __getattr__ passing names on: with one in sys.modules, a device
# test measured 7.5 KB more heap kept after cancelling requests, on the unix port v1.29.)
ROM_IOCTL = """\
def _rom_ioctl(op, *a):
    if op == 1: return 1
    if not a or a[0] != 0: return -19
    if op == 2: return range(%(size)d)
    if op == 3:
        if len(a) == 2 or a[1] == 0: open(%(file)r, 'wb').close()
        return 16
    if op == 4:
        with open(%(file)r, 'r+b') as f:
            f.seek(a[1]); f.write(a[2])
        return 0
    if op == 6: return 4096
    return 0 if op == 5 else -22
class _RomVfs: pass
_v = _RomVfs()
for _k in dir(vfs):
    if not _k.startswith('__'): setattr(_v, _k, getattr(vfs, _k))
_v.rom_ioctl = _rom_ioctl
sys.modules['vfs'] = _v
del _v, _k, _RomVfs, _rom_ioctl
"""


# The stand-in above and the partition's mount take heap that a board's C rom_ioctl does not:
# the heap cap is raised by this much (tests/host/test_deploy.py checks it stays matched).
# Recalibrated 1152 -> 1280 when the image grew to 122.9 KB (issue 9's socket modules): the
# two kinds of ROMFS vboard then differed by 288 B (a 119-122 KB image: 160 B), with 1280
# by 160 B (32 B).
ROM_IOCTL_HEAP = 1280


def rom_partition_boot(paths, part_file):
    """-> (boot code, bytes of ROMFS image it mounts) for a --rom-partition board."""
    size = 0
    if os.path.isfile(part_file):
        with open(part_file, "rb") as f:
            if f.read(3) == ROMFS_MAGIC:
                size = os.path.getsize(part_file)
    code = boot_code(paths, part_file if size else None, size)
    mount = "/.vboardrom"
    code += "\nimport os, sys, vfs\nos.mount(os.VfsPosix(%r), %r)\n" % (
        os.path.dirname(part_file), mount)
    code += ROM_IOCTL % {"size": ROM_PARTITION_BYTES,
                         "file": mount + "/" + os.path.basename(part_file)}
    return code + "del os, sys, vfs", size


def catches_sigint(pid):
    """True while the process has a SIGINT handler installed (the unix port: kbd_intr on)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (signal.SIGINT - 1) & 1)
    except OSError:     # already gone
        pass
    return False


class VBoard:
    def __init__(self, heapsize, cwd=None, paths=(), micropython=MICROPYTHON, link=None,
                 romfs=None, rom_partition=None):
        self.heapsize = heapsize
        self.rom_partition = os.path.abspath(rom_partition) if rom_partition else None
        self.romfs = os.path.abspath(romfs) if romfs else None
        self.flash = os.path.abspath(cwd) if cwd else None
        self.paths = [os.path.abspath(p) for p in paths]
        self.micropython = micropython
        self.link = link
        self.tty = None         # what to pass to `mpremote connect`: link if given, else the pty
        self.error = None       # last boot failure, or the supervisor's crash

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if not shutil.which(self.micropython):
            raise FileNotFoundError("vboard: no micropython at %s" % self.micropython)
        for p in self.paths:
            if not os.path.isdir(p):
                raise FileNotFoundError("vboard: --path %s is not a directory" % p)
        self._own_flash = self.flash is None
        if self._own_flash:
            self.flash = tempfile.mkdtemp(prefix="vboard-flash-")
        self._heap = self.heapsize
        if self.romfs:
            size = os.path.getsize(self.romfs)
            self._heap = romfs_heapsize(self.heapsize, size)
            self._boot = boot_code(self.paths, self.romfs, size)
        else:
            self._boot = boot_code(self.paths)
        self._host_fd, self._host_slave = os.openpty()
        # We keep our own slave fd open: otherwise the master gets EIO whenever mpremote closes.
        tty.setraw(self._host_slave)
        os.set_blocking(self._host_fd, False)
        self._pts = os.ttyname(self._host_slave)
        if self.link:
            os.makedirs(os.path.dirname(os.path.abspath(self.link)), exist_ok=True)
            tmp = self.link + ".new"
            if os.path.lexists(tmp):
                os.unlink(tmp)
            os.symlink(self._pts, tmp)
            os.replace(tmp, self.link)
        self.tty = self.link or self._pts
        self._to_host = bytearray()
        self._to_child = bytearray()    # held back while a process boots
        self._stopping = self._reset = self._hard = False
        self._booted = threading.Event()
        self._started = False
        self._spawn(raw=False)
        self._thread = threading.Thread(target=self._run, name="vboard", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + BOOT_TIMEOUT
        while not (self._booted.wait(0.05) or self.error or time.monotonic() > deadline):
            pass
        if self.error or not self._booted.is_set():
            self.stop()
            raise RuntimeError("vboard did not boot: %s" % (self.error or "no prompt"))
        self._started = True    # from now on, trouble is reported on stderr
        return self.tty

    def stop(self):
        self._stopping = True
        self._thread.join()
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._child_fd, self._host_fd, self._host_slave):
            os.close(fd)
        if self.link and os.path.islink(self.link) and os.readlink(self.link) == self._pts:
            os.unlink(self.link)
        if self._own_flash:
            shutil.rmtree(self.flash, ignore_errors=True)

    def alive(self):
        return self._thread.is_alive()

    def reset(self, timeout=BOOT_TIMEOUT):
        """Hard reset (the reset button): a fresh process in the friendly REPL, no messages."""
        self._booted.clear()
        self._reset = True
        if not self._booted.wait(timeout):
            raise RuntimeError("vboard: no prompt after reset: %s" % self.error)

    # ---- supervisor (runs in its own thread) ----------------------------------------------

    def _spawn(self, raw):
        self._child_fd, slave = os.openpty()
        # Raw tty: no echo, no line editing, no signal keys, no output translation; the REPL
        # sets the same itself, and Ctrl-C and "\r\n" are ours to handle.
        tty.setraw(slave)
        os.set_blocking(self._child_fd, False)
        if self.rom_partition:  # what the partition holds now: mpremote may have written it
            self._boot, size = rom_partition_boot(self.paths, self.rom_partition)
            self._heap = str(heap_bytes(romfs_heapsize(self.heapsize, size) if size else
                                        self.heapsize) + ROM_IOCTL_HEAP)
        self._proc = subprocess.Popen(
            [self.micropython, "-X", "heapsize=" + self._heap, "-i", "-c", self._boot],
            stdin=slave, stdout=slave, stderr=slave, cwd=self.flash,
            start_new_session=True)     # a Ctrl-C meant for vboard.py must not reach it
        os.close(slave)
        self._booting = bytearray()     # its output until it shows the prompt; then None
        self._want_raw = self._raw = raw
        self._sent_ctrl_a = self._binary = self._cr = False
        self._tail = b""

    def _run(self):
        try:
            while not self._stopping:
                if self._reset:
                    self._reset, self._hard = False, True
                    self._proc.kill()
                rl, wl = [self._host_fd], []
                if len(self._to_host) < OUT_MAX:
                    rl.append(self._child_fd)
                if self._to_host:
                    wl.append(self._host_fd)
                if self._to_child and self._booting is None:
                    wl.append(self._child_fd)
                r, w, _ = select.select(rl, wl, [], 0.1)
                if self._host_fd in w:
                    self._write(self._host_fd, self._to_host)
                if self._child_fd in w:
                    self._write(self._child_fd, self._to_child)
                if self._host_fd in r:
                    self._from_host(os.read(self._host_fd, 4096))
                if self._child_fd in r:
                    try:
                        data = os.read(self._child_fd, 4096)
                    except OSError:     # EIO: it has exited and all its output is read
                        data = b""
                    if data:
                        self._from_child(data)
                    else:
                        self._child_gone()
        except BaseException as e:
            self.error = "supervisor crashed: %r" % e
            print("vboard: " + self.error, file=sys.stderr, flush=True)
            raise

    def _fail(self, msg):
        self.error = msg
        if self._started:
            print("vboard: " + msg, file=sys.stderr, flush=True)

    @staticmethod
    def _write(fd, buf):
        try:
            del buf[:os.write(fd, buf)]
        except OSError:     # full (EAGAIN), or the process just died (EIO): its read tells
            pass

    def _from_host(self, data):
        while data:
            head, ctrl_c, data = data.partition(b"\x03")
            self._to_child += head
            if ctrl_c:
                if self._booting is None and catches_sigint(self._proc.pid):
                    self._proc.send_signal(signal.SIGINT)
                else:
                    self._to_child += ctrl_c

    def _from_child(self, data):
        if self._booting is not None:
            self._boot_output(data)
            return
        seen = self._tail + data
        raw_at, friendly_at = seen.rfind(RAW_BANNER), seen.rfind(FRIENDLY_BANNER)
        if raw_at != friendly_at:       # one of them was found: the later one tells the mode
            self._raw = raw_at > friendly_at
        self._tail = seen[-64:]
        self._emit(data)

    def _emit(self, data):
        if b"\x18" in data:
            self._binary = True
        if not self._binary:
            out = re.sub(rb"(?<!\r)\n", b"\r\n", data)
            if self._cr and data[:1] == b"\n":      # "\r" ended the previous chunk
                out = out[1:]
            self._cr = data[-1:] == b"\r"
            data = out
        self._to_host += data

    def _boot_output(self, data):
        # A new process prints the unix banner and ">>> ". After a soft reset in the raw REPL a
        # board shows only the raw REPL banner: so enter it here and show just that.
        buf = self._booting
        buf += data
        if self._want_raw and not self._sent_ctrl_a and buf.endswith(FRIENDLY_PROMPT):
            self._sent_ctrl_a = True
            os.write(self._child_fd, b"\x01")
            return
        if not buf.endswith(RAW_BANNER + b">" if self._want_raw else FRIENDLY_PROMPT):
            return
        if not buf.startswith(UNIX_BANNER):
            self._fail("boot code failed:\n" + buf.decode(errors="replace"))
        self._booting = None
        self._emit(RAW_BANNER + b">" if self._want_raw else bytes(buf))
        if not (self._reset or self._hard):
            self._booted.set()

    def _child_gone(self):
        rc = self._proc.wait()
        os.close(self._child_fd)
        raw = self._raw
        if self._hard:
            self._hard = raw = False
        elif self._booting is not None:
            self._fail("micropython exited with %d while booting:\n%s" % (
                rc, self._booting.decode(errors="replace")))
            time.sleep(1)   # don't spin if it can't boot at all
        else:
            how = "killed by signal %d" % -rc if rc < 0 else "exited with status %d" % rc
            note = b"vboard: micropython %s\r\n" % how.encode()
            # A clean end: "OK\r\n" of a raw-REPL soft reset, or "\x04\x04" before SystemExit.
            if raw and not self._tail.endswith((b"OK\r\n", b"\x04\x04")):
                self._to_host += b"\x04" + note + b"\x04"   # end mpremote's pending reply
            elif rc < 0:
                self._to_host += note
            self._to_host += b"MPY: soft reboot\r\n"
        self._spawn(raw)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heapsize", required=True, help="MicroPython heap cap, e.g. 110k")
    ap.add_argument("--link", help="symlink to create to the pty (the board's port name)")
    ap.add_argument("--micropython", default=MICROPYTHON, help="unix port binary")
    ap.add_argument("--cwd", help="the board's flash, mounted at / (default: a fresh temp dir)")
    ap.add_argument("--path", action="append", default=[],
                    help="dir of modules standing in for frozen ones (repeatable)")
    ap.add_argument("--romfs", help="ROMFS image mounted at /rom (mpremote romfs build)")
    ap.add_argument("--rom-partition", help="host file holding a writable ROMFS partition")
    args = ap.parse_args()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    board = VBoard(args.heapsize, args.cwd, args.path, args.micropython, args.link, args.romfs,
                   args.rom_partition)
    try:
        board.start()
    except (OSError, RuntimeError) as e:
        sys.exit(str(e))
    print("vboard ready: %s (pty %s, heap %s, flash %s)" % (
        board.tty, board._pts, args.heapsize, board.flash), flush=True)
    while board.alive() and not stop.wait(0.5):
        pass
    crashed = not board.alive()
    board.stop()
    sys.exit(1 if crashed else 0)


if __name__ == "__main__":
    main()
