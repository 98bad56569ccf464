#!/usr/bin/env python3
"""`make test-board`: the device suite on a board, end to end.

    make test-board PORT=/dev/ttyACM0 [HOST=192.168.1.20] [BOARD=RPI_PICO_W] [CA=...]
    python tools/test_board.py --port PORT [--host ADDR] [-k name]
    python tools/test_board.py --vboard --netns        # what make test runs

1. deploy (tools/deploy.py): the library, port seam and board settings, so a stale or
   missing copy is never what gets tested;
2. WiFi: netstack_wifi.up() on the board (wifi_secrets.py there: deploy SECRETS=...), which
   also sets its clock by NTP; a board without a `network` module (the virtual board) says so;
3. the test peers (tests/peers) listen on HOST, an address of this machine the board can
   reach: given, or the one this machine routes the board's address through; tests get
   URLs with HOST in them, never 127.0.0.1 (on a board that is the board itself);
4. tools/devtest.py --mode board runs tests/device/*.py there and prints the summary.

--vboard tests a virtual board instead (tools/vboard.py, flash in a temp dir). --netns runs
all of it in a network namespace made here (unshare, no root needed) in which the peers
listen on NETNS_HOST, not on loopback's 127.0.0.1: the host-address plumbing is proven and
no packet can leave the namespace.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
PY = os.path.join(ROOT, ".venv", "bin", "python")
MPREMOTE = os.path.join(ROOT, ".venv", "bin", "mpremote")
NETNS_HOST = "10.77.0.1"    # on the namespace's lo: an address that is not 127.0.0.1

WIFI = """\
try:
    import netstack_wifi
except ImportError as e:
    print('WIFI none', e)
else:
    print('WIFI up', netstack_wifi.up())
"""


def netns_argv(argv):
    """argv run in a new user + network namespace with lo up and NETNS_HOST on it."""
    return ["unshare", "-rn", "sh", "-c",
            'ip link set lo up && ip addr add %s/32 dev lo && exec "$@"' % NETNS_HOST, "sh"] + argv


def route_to(addr):
    """The address of this machine that packets to `addr` leave from (no packet is sent)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect((addr, 9))
        return s.getsockname()[0]
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", help="the board's serial port")
    where.add_argument("--vboard", action="store_true", help="a virtual board (tools/vboard.py)")
    ap.add_argument("--host", help="address of this machine the board reaches the peers at")
    ap.add_argument("--netns", action="store_true", help="in a network namespace of its own")
    ap.add_argument("--heapsize", default="192k", help="the virtual board's heap")
    ap.add_argument("--board", help="boards/<BOARD> (default: deploy asks the board)")
    ap.add_argument("--mode", choices=("mpy", "romfs"), default="mpy", help="deploy mode")
    ap.add_argument("--ca", help="CA bundle for deploy to put at the board's DEFAULT_CA_PATH")
    ap.add_argument("--secrets", help="wifi_secrets.py for deploy to put on the board")
    ap.add_argument("--no-deploy", action="store_true")
    ap.add_argument("-k", dest="select", default="", help="only tests whose name contains this")
    ap.add_argument("--timeout", default="120")
    args = ap.parse_args()

    if args.netns:
        argv = [PY, os.path.abspath(__file__)] + [a for a in sys.argv[1:] if a != "--netns"]
        if not args.host:
            argv += ["--host", NETNS_HOST]
        try:
            ok = subprocess.run(netns_argv(["true"]), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=10).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            sys.exit(subprocess.run(netns_argv(argv)).returncode)
        # a machine (container) without user namespaces: say so, in the summary too
        print("test-board: this machine cannot make a network namespace (unshare -rn, ip); "
              "the peers stay on 127.0.0.1: the host-address path is not proven here", flush=True)
        args.host = args.host or "127.0.0.1"

    with tempfile.TemporaryDirectory(prefix="test-board-") as tmp:
        vb = None
        port = args.port
        if args.vboard:
            from vboard import VBoard
            # MODE=romfs: a board with a ROMFS partition, written by deploy (mpremote romfs)
            part = os.path.join(tmp, "rom", "partition.img") if args.mode == "romfs" else None
            if part:
                os.makedirs(os.path.dirname(part))
            vb = VBoard(args.heapsize, cwd=os.path.join(tmp, "flash"), rom_partition=part)
            os.makedirs(vb.flash)
            port = vb.start()
        try:
            return run(args, port)
        finally:
            if vb:
                vb.stop()


def run(args, port):
    if not args.no_deploy:
        cmd = [PY, os.path.join(ROOT, "tools", "deploy.py"), "--port", port, "--mode", args.mode]
        for opt in ("board", "ca", "secrets"):
            if getattr(args, opt):
                cmd += ["--" + opt, getattr(args, opt)]
        print("test-board: deploy", flush=True)
        if subprocess.run(cmd).returncode:
            sys.exit("test-board: deploy failed")
    p = subprocess.run([MPREMOTE, "connect", port, "resume", "exec", WIFI],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = next((l for l in p.stdout.splitlines() if l.startswith("WIFI ")), None)
    if p.returncode or line is None:
        sys.exit("test-board: WiFi bring-up failed:\n" + p.stdout)
    board_ip = None
    if line.startswith("WIFI up "):
        board_ip = line.split()[2]
        print("test-board: WiFi up, board at %s, clock set by NTP" % board_ip, flush=True)
    else:
        print("test-board: no WiFi on this board (%s): it shares this machine's network"
              % line[9:], flush=True)
    host = args.host or (route_to(board_ip) if board_ip else "127.0.0.1")
    print("test-board: peers listen on %s" % host, flush=True)
    env = dict(os.environ, NETSTACK_PEERS_HOST=host)
    cmd = [PY, os.path.join(ROOT, "tools", "devtest.py"), "--mode", "board", "--port", port,
           "--peers", "--timeout", args.timeout] + (["-k", args.select] if args.select else [])
    return subprocess.run(cmd, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
