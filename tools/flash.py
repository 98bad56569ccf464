#!/usr/bin/env python3
"""Write MicroPython firmware to a board.

    make flash BOARD=ESP32_GENERIC PORT=/dev/ttyUSB0 FIRMWARE=build/firmware/ESP32_GENERIC.bin
    make flash BOARD=RPI_PICO_W [PORT=/dev/ttyACM0] FIRMWARE=RPI_PICO_W.uf2 [DRIVE=/media/me/RPI-RP2]
    python tools/flash.py ... --dry-run       # print the commands, run nothing

ESP32 family: esptool erases the flash (the filesystem goes too), then writes the image at
the chip's offset (0x1000 on ESP32, where the bootloader starts; 0x0 on S3/C3). Pico W: with
picotool on PATH it loads the UF2 (forcing a running board into BOOTSEL); otherwise the UF2 is
copied to the RPI-RP2 drive the board shows in BOOTSEL mode (hold BOOTSEL while plugging in,
or give PORT: MicroPython's machine.bootloader() is called through mpremote first).
"""
import argparse
import glob
import os
import shlex
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".venv", "bin")
ESPTOOL = os.path.join(BIN, "esptool")
MPREMOTE = os.path.join(BIN, "mpremote")

# board -> (esptool chip, offset of MicroPython's firmware.bin); RP2 boards take a UF2
ESP = {"ESP32_GENERIC": ("esp32", "0x1000"), "ESP32_GENERIC_S3": ("esp32s3", "0x0"),
       "ESP32_GENERIC_C3": ("esp32c3", "0x0")}
RP2 = ("RPI_PICO_W", "RPI_PICO", "RPI_PICO2_W", "RPI_PICO2")
DRIVE_GLOBS = ("/media/*/RPI-RP2", "/media/RPI-RP2", "/run/media/*/RPI-RP2", "/Volumes/RPI-RP2",
               "/media/*/RP2350", "/run/media/*/RP2350", "/Volumes/RP2350")
BAUD = 460800


def esp_commands(board, port, firmware, baud=BAUD):
    chip, offset = ESP[board]
    base = [ESPTOOL, "--chip", chip, "--port", port]
    return [base + ["erase-flash"],
            base + ["--baud", str(baud), "write-flash", "-z", offset, firmware]]


def find_drive():
    for g in DRIVE_GLOBS:
        for d in sorted(glob.glob(g)):
            if os.path.isfile(os.path.join(d, "INFO_UF2.TXT")):
                return d
    return None


def rp2_plan(firmware, port=None, drive=None, picotool=None):
    """-> ('picotool', [argv]) or ('copy', [argv to reach BOOTSEL], drive or None)."""
    if picotool and not drive:
        return "picotool", [[picotool, "load", "-f", "-x", firmware]]
    pre = [[MPREMOTE, "connect", port, "bootloader"]] if port else []
    return "copy", pre, drive


def show(argv):
    return " ".join(shlex.quote(a) for a in argv)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--board", required=True)
    ap.add_argument("--firmware", required=True, help=".bin (ESP32) or .uf2 (Pico W)")
    ap.add_argument("--port", help="serial port (ESP32: required; Pico W: to enter BOOTSEL)")
    ap.add_argument("--drive", help="Pico W: the RPI-RP2 drive (default: looked for)")
    ap.add_argument("--baud", type=int, default=BAUD)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    if not args.dry_run and not os.path.isfile(args.firmware):
        sys.exit("flash: no firmware %s (make firmware, or download it from micropython.org)"
                 % args.firmware)
    if args.board in ESP:
        if not args.firmware.endswith(".bin"):
            sys.exit("flash: %s takes a .bin image" % args.board)
        if not args.port:
            sys.exit("flash: %s needs PORT= (e.g. /dev/ttyUSB0)" % args.board)
        for argv in esp_commands(args.board, args.port, args.firmware, args.baud):
            print(show(argv), flush=True)
            if not args.dry_run and subprocess.run(argv).returncode:
                sys.exit("flash: esptool failed (hold BOOT while it connects if it cannot)")
        return
    if args.board not in RP2:
        sys.exit("flash: unknown board %s (known: %s)" % (args.board, ", ".join(sorted(ESP) + list(RP2))))
    if not args.firmware.endswith(".uf2"):
        sys.exit("flash: %s takes a .uf2 image" % args.board)
    plan = rp2_plan(args.firmware, args.port, args.drive, shutil.which("picotool"))
    if plan[0] == "picotool":
        for argv in plan[1]:
            print(show(argv), flush=True)
            if not args.dry_run and subprocess.run(argv).returncode:
                sys.exit("flash: picotool failed")
        return
    for argv in plan[1]:
        print(show(argv), flush=True)
        if not args.dry_run:
            subprocess.run(argv)    # the board drops off the serial port: no status to check
    drive = plan[2]
    if args.dry_run:
        print("cp %s %s/" % (shlex.quote(args.firmware), shlex.quote(drive or "<RPI-RP2 drive>")))
        return
    deadline = time.monotonic() + 20
    while drive is None and time.monotonic() < deadline:
        drive = find_drive()
        if drive is None:
            time.sleep(0.5)
    if drive is None or not os.path.isfile(os.path.join(drive, "INFO_UF2.TXT")):
        sys.exit("flash: no RPI-RP2 drive (hold BOOTSEL while plugging the board in, mount it, "
                 "or pass DRIVE=)")
    print("cp %s %s/" % (shlex.quote(args.firmware), shlex.quote(drive)), flush=True)
    shutil.copyfile(args.firmware, os.path.join(drive, os.path.basename(args.firmware)))
    print("flash: copied; the board reboots into MicroPython when the copy ends")


if __name__ == "__main__":
    main()
