#!/usr/bin/env python3
"""The labgrid path end to end on this machine, with a virtual board as the lab's one board:

    python tools/labgrid_vboard.py [--heapsize 192k] [--junit build/labgrid-junit.xml] [--netns]

1. a virtual board (tools/vboard.py) whose pty is bridged to TCP on 127.0.0.1: the board's
   serial port as a ser2net-style raw network port;
2. labgrid-coordinator on 127.0.0.1, and labgrid-exporter publishing that port as a
   NetworkSerialPort (protocol raw) of exporter 'netstack-vboard-exporter';
3. labgrid-client: create place 'netstack-vboard', match the exported port, acquire it;
4. pytest tests/labgrid --lg-env tests/labgrid/env.yaml: the device suite through the place
   (deploy, WiFi step, tests/device/*.py; tests/labgrid/conftest.py), JUnit XML written;
   --mode romfs gives the virtual board a ROMFS partition and deploys into it (make test does:
   one image is much quicker to send over raw TCP than 30 files);
5. release the place and stop everything it started.
--netns runs it all in a network namespace made here with the test peers on 10.77.0.1 (as the
make test-board row does). A real lab differs only in steps 1-2: see docs/boards.md.
"""
import argparse
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tty

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
BIN = os.path.join(ROOT, ".venv", "bin")
PY = os.path.join(BIN, "python")
PLACE = "netstack-vboard"
EXPORTER = "netstack-vboard-exporter"
START_TIMEOUT = 30


class PtyBridge(threading.Thread):
    """127.0.0.1:port <-> a pty, one TCP client at a time, bytes as they are (raw)."""

    def __init__(self, tty_path):
        super().__init__(daemon=True, name="pty-bridge")
        self.tty_path = tty_path
        self.lsock = socket.create_server(("127.0.0.1", 0))
        self.port = self.lsock.getsockname()[1]
        self.stopping = False

    def run(self):
        fd = os.open(self.tty_path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        try:
            while not self.stopping:
                r, _, _ = select.select([self.lsock], [], [], 0.2)
                if not r:
                    continue
                conn, _ = self.lsock.accept()
                # small writes both ways (raw-paste flow control): no Nagle delay, as ser2net
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._relay(conn, fd)
        finally:
            os.close(fd)
            self.lsock.close()

    def _relay(self, conn, fd):
        with conn:
            while not self.stopping:
                r, _, _ = select.select([conn, fd], [], [], 0.2)
                if conn in r:
                    data = conn.recv(4096)
                    if not data:
                        return      # client gone: the next one may connect
                    os.write(fd, data)
                if fd in r:
                    data = os.read(fd, 4096)
                    if data:
                        conn.sendall(data)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(coord, *args, check=True):
    p = subprocess.run([os.path.join(BIN, "labgrid-client"), "-x", coord] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    if check and p.returncode:
        raise RuntimeError("labgrid-client %s failed:\n%s" % (" ".join(args), p.stdout))
    return p.stdout


def wait_for(what, fn):
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if fn():
                return
        except (OSError, RuntimeError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("labgrid: %s not ready after %d s" % (what, START_TIMEOUT))
        time.sleep(0.3)


def junit_summary(path):
    """One line in devtest's form from the JUnit XML: a case per device script."""
    import xml.etree.ElementTree as ET
    try:
        cases = list(ET.parse(path).iter("testcase"))
    except (OSError, ET.ParseError) as e:
        return "device[labgrid %s]: no JUnit XML (%s)" % (PLACE, e)
    n = {"passed": 0, "failed": 0, "skipped": 0}
    skips = []
    for c in cases:
        if not c.get("name", "").startswith("test_device_script["):
            continue
        kinds = [x.tag for x in c]
        if "failure" in kinds or "error" in kinds:
            n["failed"] += 1
        elif "skipped" in kinds:
            n["skipped"] += 1
            skips.append(c.get("name")[len("test_device_script["):-1])
        else:
            n["passed"] += 1
    return "device[labgrid %s]: %d passed, %d failed, %d skipped%s (JUnit XML: %s)" % (
        PLACE, n["passed"], n["failed"], n["skipped"],
        " (%s)" % ", ".join(skips) if skips else "", os.path.relpath(path, ROOT))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heapsize", default="192k")
    ap.add_argument("--mode", choices=("mpy", "romfs"), default="mpy",
                    help="deploy mode (romfs: the virtual board gets a ROMFS partition)")
    ap.add_argument("--junit", default=os.path.join(ROOT, "build", "labgrid-junit.xml"))
    ap.add_argument("--netns", action="store_true",
                    help="in a network namespace of its own, peers on test_board.NETNS_HOST")
    ap.add_argument("--peers-host", help="(set by --netns)")
    ap.add_argument("-k", dest="select", default="", help="only device scripts with this")
    args = ap.parse_args()
    if args.netns:
        import test_board
        argv = [PY, os.path.abspath(__file__), "--heapsize", args.heapsize, "--mode", args.mode,
                "--junit", os.path.abspath(args.junit), "--peers-host", test_board.NETNS_HOST]
        if args.select:
            argv += ["-k", args.select]
        sys.exit(subprocess.run(test_board.netns_argv(argv)).returncode)

    from vboard import VBoard
    with tempfile.TemporaryDirectory(prefix="labgrid-") as tmp:
        for d in ("flash", "rom"):
            os.makedirs(os.path.join(tmp, d))
        part = os.path.join(tmp, "rom", "partition.img") if args.mode == "romfs" else None
        with VBoard(args.heapsize, cwd=os.path.join(tmp, "flash"), rom_partition=part) as vb:
            return through_labgrid(args, vb, tmp)


def through_labgrid(args, vb, tmp):
    procs = []
    bridge = PtyBridge(vb.tty)
    bridge.start()
    coord = "127.0.0.1:%d" % free_port()
    try:
        log = open(os.path.join(tmp, "labgrid.log"), "w")
        procs.append(subprocess.Popen([os.path.join(BIN, "labgrid-coordinator"), "-l", coord],
                                      cwd=tmp, stdout=log, stderr=subprocess.STDOUT))
        wait_for("coordinator", lambda: client(coord, "places") is not None)
        with open(os.path.join(tmp, "exporter.yaml"), "w") as f:
            f.write("vboard:\n  NetworkSerialPort:\n    host: 127.0.0.1\n    port: %d\n"
                    "    protocol: raw\n" % bridge.port)
        procs.append(subprocess.Popen(
            [os.path.join(BIN, "labgrid-exporter"), "-c", coord, "-n", EXPORTER,
             "--hostname", "127.0.0.1", os.path.join(tmp, "exporter.yaml")],
            cwd=tmp, stdout=log, stderr=subprocess.STDOUT))
        wait_for("exporter", lambda: "%s/vboard/NetworkSerialPort" % EXPORTER in
                 client(coord, "resources"))
        client(coord, "-p", PLACE, "create")
        client(coord, "-p", PLACE, "add-match", "%s/vboard/NetworkSerialPort" % EXPORTER)
        client(coord, "-p", PLACE, "acquire")
        print("labgrid: coordinator %s, place %s acquired:\n%s" % (
            coord, PLACE, client(coord, "-p", PLACE, "show")), flush=True)
        env = dict(os.environ, LG_PLACE=PLACE, LG_COORDINATOR=coord)
        cmd = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "-s",
               os.path.join(ROOT, "tests", "labgrid"),
               "--lg-env", os.path.join(ROOT, "tests", "labgrid", "env.yaml"),
               "--lg-coordinator", coord, "--junitxml", args.junit, "--deploy-mode", args.mode]
        if args.peers_host:
            cmd += ["--peers-host", args.peers_host]
        if args.select:
            cmd += ["--device-k", args.select]
        os.makedirs(os.path.dirname(args.junit), exist_ok=True)
        rc = subprocess.run(cmd, cwd=ROOT, env=env).returncode
        client(coord, "-p", PLACE, "release", check=False)
        print(junit_summary(args.junit), flush=True)
        return rc
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        bridge.stopping = True
        bridge.join(2)


if __name__ == "__main__":
    sys.exit(main())
