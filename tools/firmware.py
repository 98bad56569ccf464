#!/usr/bin/env python3
"""Build MicroPython firmware with netstack frozen in, from a MicroPython checkout and the
toolchain you have (ESP-IDF for esp32, arm-none-eabi-gcc + cmake for rp2):

    make firmware BOARD=RPI_PICO_W MICROPYTHON_DIR=~/micropython [ROMFS=1]
    python tools/firmware.py --board ESP32_GENERIC --micropython ~/micropython [--dry-run]

It runs MicroPython's own build with FROZEN_MANIFEST=boards/<BOARD>/manifest.py and copies
the result to build/firmware/. --dry-run prints the commands and runs nothing (make test
checks them). ROMFS=1 builds the board's ROMFS variant where MicroPython has one.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# board -> (MicroPython port, firmware file its build writes, ROMFS variant or None)
BOARDS = {
    "ESP32_GENERIC": ("esp32", "firmware.bin", "ROMFS"),
    "ESP32_GENERIC_S3": ("esp32", "firmware.bin", None),
    "RPI_PICO_W": ("rp2", "firmware.uf2", None),
}
NEEDS = {"esp32": ["idf.py"], "rp2": ["cmake", "arm-none-eabi-gcc"]}
HOWTO = {"esp32": "install ESP-IDF (the version MicroPython's ports/esp32/README.md names) and "
                  "`. $IDF_PATH/export.sh`",
         "rp2": "apt-get install cmake gcc-arm-none-eabi libnewlib-arm-none-eabi build-essential"}


def commands(board, mpy_dir, romfs=False, jobs=None):
    """-> [(argv, what)] to build BOARD's firmware in mpy_dir, and the firmware's path."""
    port, fw, variant = BOARDS[board]
    if romfs and not variant:
        raise SystemExit("firmware: MicroPython has no ROMFS variant of %s; see boards/%s/README.md"
                         % (board, board))
    mpy_dir = os.path.abspath(os.path.expanduser(mpy_dir))
    port_dir = os.path.join(mpy_dir, "ports", port)
    manifest = os.path.join(ROOT, "boards", board, "manifest.py")
    args = ["BOARD=" + board] + (["BOARD_VARIANT=" + variant] if romfs else [])
    j = ["-j%d" % (jobs or os.cpu_count() or 2)]
    cmds = [
        (["make", "-C", os.path.join(mpy_dir, "mpy-cross")] + j, "mpy-cross (compiles frozen code)"),
        (["make", "-C", port_dir] + args + ["submodules"], "the port's git submodules"),
        (["make", "-C", port_dir] + j + args + ["FROZEN_MANIFEST=" + manifest], "firmware"),
    ]
    build = "build-" + board + ("-" + variant if romfs else "")
    return cmds, os.path.join(port_dir, build, fw)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--board", required=True, choices=sorted(BOARDS))
    ap.add_argument("--micropython", required=True, help="a MicroPython checkout (git clone)")
    ap.add_argument("--romfs", action="store_true", help="the board's ROMFS variant")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "firmware"))
    ap.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = ap.parse_args()
    cmds, fw = commands(args.board, args.micropython, args.romfs)
    out = os.path.join(args.out, args.board + ("-ROMFS" if args.romfs else "") +
                       os.path.splitext(fw)[1])
    if args.dry_run:
        for argv, what in cmds:
            print(" ".join(shlex.quote(a) for a in argv))
        print("cp %s %s" % (shlex.quote(fw), shlex.quote(out)))
        return
    if not os.path.isfile(os.path.join(args.micropython, "py", "mpconfig.h")):
        sys.exit("firmware: %s is not a MicroPython checkout "
                 "(git clone https://github.com/micropython/micropython)" % args.micropython)
    port = BOARDS[args.board][0]
    missing = [t for t in NEEDS[port] if not shutil.which(t)]
    if missing:
        sys.exit("firmware: %s not found: %s" % (", ".join(missing), HOWTO[port]))
    for argv, what in cmds:
        print("firmware: %s: %s" % (what, " ".join(shlex.quote(a) for a in argv)), flush=True)
        if subprocess.run(argv).returncode:
            sys.exit("firmware: building %s failed" % what)
    os.makedirs(args.out, exist_ok=True)
    shutil.copyfile(fw, out)
    print("firmware: %s (%d bytes); flash it: make flash BOARD=%s PORT=... FIRMWARE=%s"
          % (out, os.path.getsize(out), args.board, out))


if __name__ == "__main__":
    main()
