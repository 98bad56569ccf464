# tools/deploy.py against the virtual board, as against a board: everything lands in its
# flash, a second deploy skips unchanged files by hash, stale modules go, the import check
# runs after a soft reset; TOOL=ampy takes the same path.
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import deploy  # noqa: E402
from vboard import VBoard  # noqa: E402

PY = os.path.join(ROOT, ".venv", "bin", "python")
LIB = os.path.join(ROOT, "build", "lib")


def run_deploy(port, *args):
    p = subprocess.run([PY, os.path.join(ROOT, "tools", "deploy.py"), "--port", port] + list(args),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def board_files(flash):
    out = set()
    for d, _, fs in os.walk(flash):
        out |= {"/" + os.path.relpath(os.path.join(d, f), flash) for f in fs}
    return out


@pytest.fixture(scope="module")
def vb(tmp_path_factory):
    if not os.path.isdir(os.path.join(LIB, "netstack")):
        pytest.fail("no build/lib: run tools/build_mpy.py (make test does)")
    flash = tmp_path_factory.mktemp("flash")
    with VBoard("192k", cwd=str(flash)) as b:
        yield b, str(flash)


def test_mpy_deploy_then_hash_skip_then_ampy(vb, tmp_path):
    board, flash = vb
    ca = tmp_path / "ca.der"
    ca.write_bytes(b"\x30\x82 not really a certificate")
    os.makedirs(os.path.join(flash, "lib", "netstack"), exist_ok=True)
    with open(os.path.join(flash, "lib", "netstack", "http.py"), "w") as f:
        f.write("raise ImportError('stale source shadowing the .mpy')\n")
    out = run_deploy(board.tty, "--ca", str(ca))
    lib = {"/lib/" + os.path.relpath(os.path.join(d, f), LIB)
           for d, _, fs in os.walk(LIB) for f in fs}
    assert board_files(flash) == lib | {"/lib/netstack_port.mpy", "/certs/ca.der"}
    with open(os.path.join(flash, "certs", "ca.der"), "rb") as f:
        assert f.read() == ca.read_bytes()
    n = len(lib) + 2
    assert "deploy: %d to copy, 0 unchanged (skipped), 1 to remove" % n in out
    assert "deploy: [%d/%d]" % (n, n) in out and "100%)" in out
    assert "imported netstack.http + fetch from /lib/netstack/http.mpy" in out
    assert "port unix" in out

    # unchanged: nothing copied
    out = run_deploy(board.tty, "--ca", str(ca))
    assert "deploy: 0 to copy, %d unchanged (skipped), 0 to remove" % n in out, out

    # one module changed, one gone; through ampy this time
    lib2 = tmp_path / "lib"
    shutil.copytree(LIB, str(lib2))
    with open(lib2 / "netstack" / "fetch.mpy", "ab") as f:
        f.write(b"\0")
    os.remove(lib2 / "netstack" / "_httpbody.mpy")
    out = run_deploy(board.tty, "--tool", "ampy", "--lib", str(lib2), "--ca", str(ca))
    assert "via ampy" in out
    assert "deploy: 1 to copy, %d unchanged (skipped), 1 to remove" % (n - 2) in out, out
    assert "[1/1] /lib/netstack/fetch.mpy" in out
    assert "/lib/netstack/_httpbody.mpy" not in board_files(flash)
    assert "imported netstack.http + fetch from /lib/netstack/http.mpy" in out


def test_plan():
    here = os.path.abspath(__file__)
    have = {"/lib/netstack/a.mpy": deploy.sha(here), "/lib/netstack/old.py": "x",
            "/lib/other.mpy": "y", "/lib/netstack/b.mpy": "z"}
    copy, skip, remove = deploy.plan({"/lib/netstack/a.mpy": here, "/lib/netstack/b.mpy": here}, have)
    assert copy == [(here, "/lib/netstack/b.mpy")]
    assert skip == ["/lib/netstack/a.mpy"]
    assert remove == ["/lib/netstack/old.py"]    # not /lib/other.mpy: not ours


def mpy_arch(path):  # the .mpy header's native architecture (0: bytecode only)
    with open(path, "rb") as f:
        return f.read(4)[2] >> 2


def test_native_modules_are_compiled_for_the_boards_architecture(tmp_path):
    lib = os.path.join(ROOT, "build", "lib")
    wsmask = os.path.join("netstack", "proto", "wsmask.mpy")
    plain = os.path.join("netstack", "http.mpy")
    assert mpy_arch(os.path.join(lib, wsmask)) == 2          # x64: what build/lib holds
    for board, arch in (("ESP32_GENERIC", 10), ("ESP32_GENERIC_S3", 10), ("RPI_PICO_W", 4)):
        out = deploy.for_board(board, lib, str(tmp_path / board))   # xtensawin 10, armv6m 4
        assert mpy_arch(os.path.join(out, wsmask)) == arch, board
        assert mpy_arch(os.path.join(out, plain)) == 0, board
    assert deploy.for_board(None, lib, str(tmp_path / "unix")) == lib


def test_board_files_per_board(tmp_path):
    for board, port in deploy.BOARDS.items():
        pairs = deploy.extras(board, port, str(tmp_path / board))
        assert [r for _, r in pairs] == ["/lib/netstack_port.mpy", "/lib/netstack_wifi.mpy",
                                         "/lib/netstack_board.mpy"]
        for local, _ in pairs:
            with open(local, "rb") as f:
                assert f.read(1) == b"M"    # .mpy header
    assert deploy.board_of("rp2", "Raspberry Pi Pico W with RP2040") == "RPI_PICO_W"
    assert deploy.board_of("esp32", "Generic ESP32 module with ESP32") == "ESP32_GENERIC"
    assert deploy.board_of("esp32", "Generic ESP32S3 module with ESP32S3") == "ESP32_GENERIC_S3"
    assert deploy.board_of("linux", "linux [GCC 14.2.1] version") is None


def test_romfs_deploy_writes_the_partition_and_imports_from_it(tmp_path):
    # a board with a ROMFS partition (vfs.rom_ioctl): `mpremote romfs deploy` writes it,
    # the soft reset mounts it at /rom, and the library's old /lib copy goes
    flash, part = tmp_path / "flash", tmp_path / "rom" / "partition.img"
    flash.mkdir()
    part.parent.mkdir()
    with VBoard("110k", cwd=str(flash), rom_partition=str(part)) as b:
        run_deploy(b.tty)     # first as .mpy: /lib/netstack is there
        assert (flash / "lib" / "netstack" / "http.mpy").is_file()
        out = run_deploy(b.tty, "--mode", "romfs")
        assert "ROMFS image deployed" in out
        assert "imported netstack.http + fetch from /rom/lib/netstack/http.mpy" in out, out
        assert not (flash / "lib" / "netstack").exists()
        assert not (flash / "lib" / "netstack_port.mpy").exists()  # the seam: in the image
        assert part.read_bytes()[:3] == b"\xd2\xcd\x31"
        # .mpy again while the partition holds the library: refused, with the reason
        p = subprocess.run([PY, os.path.join(ROOT, "tools", "deploy.py"), "--port", b.tty],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode != 0 and "shadows /lib" in p.stderr


def test_rom_partition_board_has_the_heap_of_a_romfs_board(tmp_path):
    # the rom_ioctl stand-in is C firmware on a board: the vboard gives back its heap
    # (vboard.ROM_IOCTL_HEAP), so both kinds of ROMFS vboard leave the same heap free
    img = tmp_path / "lib.romfs"
    p = subprocess.run([os.path.join(ROOT, ".venv", "bin", "mpremote"), "romfs", "--no-mpy",
                        "--output", str(img), "build", LIB], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    (tmp_path / "part").mkdir()
    shutil.copy(str(img), str(tmp_path / "part" / "p.img"))
    free = []
    for kw in ({"romfs": str(img)}, {"rom_partition": str(tmp_path / "part" / "p.img")}):
        (tmp_path / "f").mkdir(exist_ok=True)
        with VBoard("110k", cwd=str(tmp_path / "f"), **kw) as b:
            out = subprocess.run([deploy.MPREMOTE, "connect", b.tty, "resume", "exec",
                                  "import gc; gc.collect(); print(gc.mem_free())"],
                                 capture_output=True, text=True, timeout=60).stdout
            free.append(int(out.split()[-1]))
    assert abs(free[0] - free[1]) <= 256, free
