# ports/wlan/netstack_wifi.py (ESP32 and Pico W) on the real MicroPython unix port: WLAN driven through
# tests/host/fake_network (a board's `network` module; no radio here), NTP against a real
# SNTP server on 127.0.0.1, and the library's net_ready hook on top of the WiFi state.
import os
import socket
import struct
import subprocess
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MPY = os.path.join(ROOT, ".venv", "bin", "micropython")
FAKE = os.path.join(ROOT, "tests", "host", "fake_network")


def run_mpy(port, code, tmp_path, secrets=True):
    if secrets:
        (tmp_path / "wifi_secrets.py").write_text(
            'WIFI_SSID = "lab"\nWIFI_PASSWORD = "pw"\nWIFI_COUNTRY = "DE"\n')
    path = ":".join([".frozen", str(tmp_path), FAKE, os.path.join(ROOT, "ports", port), os.path.join(ROOT, "ports", "wlan"),
                     os.path.join(ROOT, "lib")])
    env = dict(os.environ, MICROPYPATH=path, FAKE_NETWORK_PORT=port)
    p = subprocess.run([MPY, "-X", "heapsize=192k", "-c", code], env=env, cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


PORTS = pytest.mark.parametrize("port", ["esp32", "rp2"])


@PORTS
def test_connect_waits_for_an_address_and_reports_status(port, tmp_path):
    out = run_mpy(port, """
import network, netstack_wifi as w
network.PLAN.append([network.STAT_CONNECTING] * 3 + [network.STAT_GOT_IP])
assert w.status() == "off", w.status()
print(w.connect(timeout_ms=5000))
print(w.status(), w.ready())
print(network.LOG)
""", tmp_path)
    ip, st, log = out.splitlines()
    assert ip == "10.0.0.2" and st == "connected 10.0.0.2 True"
    assert "('country', 'DE')" in log and "('connect', 'lab', 'pw')" in log


@PORTS
def test_wrong_password_fails_at_once_with_text(port, tmp_path):
    out = run_mpy(port, """
import time, network, netstack_wifi as w
network.PLAN.append([network.STAT_CONNECTING, network.STAT_WRONG_PASSWORD])
t = time.ticks_ms()
try:
    w.connect(timeout_ms=10000)
except OSError as e:
    print(e, time.ticks_diff(time.ticks_ms(), t) < 2000, w.ready())
""", tmp_path)
    assert out.strip() == "wifi: wrong password (lab) True False"


@PORTS
def test_no_address_within_timeout(port, tmp_path):
    out = run_mpy(port, """
import time, network, netstack_wifi as w
network.PLAN.append([network.STAT_CONNECTING])
t = time.ticks_ms()
try:
    w.connect(timeout_ms=300)
except OSError as e:
    print(e, 300 <= time.ticks_diff(time.ticks_ms(), t) < 3000)
""", tmp_path)
    assert out.strip() == "wifi: no connection to lab after 300 ms (connecting) True"


@PORTS
def test_reconnect_backs_off_then_connects(port, tmp_path):
    out = run_mpy(port, """
import time, network, netstack_wifi as w
network.PLAN.extend([[network.STAT_NO_AP_FOUND], [network.STAT_NO_AP_FOUND],
                     [network.STAT_CONNECTING, network.STAT_GOT_IP]])
t = time.ticks_ms()
print(w.reconnect(attempts=4, timeout_ms=1000, backoff_ms=(100, 150)))
print(time.ticks_diff(time.ticks_ms(), t))
""", tmp_path)
    lines = out.splitlines()
    assert lines[:2] == ["wifi: wifi: no ap found (lab); again in 100 ms",
                         "wifi: wifi: no ap found (lab); again in 150 ms"], out
    assert lines[2] == "10.0.0.2"
    assert 250 <= int(lines[3]) < 5000


@PORTS
def test_reconnect_gives_up_after_attempts(port, tmp_path):
    out = run_mpy(port, """
import network, netstack_wifi as w
network.PLAN.extend([[network.STAT_WRONG_PASSWORD]] * 3)
try:
    w.reconnect(attempts=2, backoff_ms=(10, 10))
except OSError as e:
    print("gave up:", e)
print(sum(1 for x in network.LOG if x[0] == "connect"))
""", tmp_path)
    assert out.splitlines()[-2:] == ["gave up: wifi: wrong password (lab)", "2"]


@PORTS
def test_keep_up_reconnects_after_a_drop(port, tmp_path):
    out = run_mpy(port, """
import asyncio, network, netstack_wifi as w
w.connect()
async def main():
    t = asyncio.create_task(w.keep_up(check_ms=20, backoff_ms=(20, 40)))
    await asyncio.sleep_ms(50)
    network.PLAN.extend([[network.STAT_NO_AP_FOUND], [network.STAT_GOT_IP]])
    w.wlan().drop()
    for _ in range(100):
        await asyncio.sleep_ms(20)
        if w.ready():
            break
    t.cancel()
    print(w.status())
asyncio.run(main())
""", tmp_path)
    assert out.splitlines()[-1] == "connected 10.0.0.2", out
    assert "no ap found" in out and "back up" in out


@PORTS
def test_requests_fail_at_once_while_down(port, tmp_path):
    # the port's net_ready() follows the WLAN: the library says the network is down
    out = run_mpy(port, """
import time, network, netstack
from netstack import http
network.WLAN(network.STA_IF).active(True)
t = time.ticks_ms()
try:
    netstack.run(http.createHttp().request("http://192.0.2.1/"))
except netstack.BusinessError as e:
    print(e.code, "network is down" in e.message, time.ticks_diff(time.ticks_ms(), t) < 1000)
""", tmp_path)
    assert out.strip() == "2300007 True True"


@PORTS
def test_without_secrets_the_message_says_what_to_do(port, tmp_path):
    out = run_mpy(port, """
import netstack_wifi as w
try:
    w.connect()
except OSError as e:
    print(e)
""", tmp_path, secrets=False)
    assert "no wifi_secrets.py on the board" in out


class SNTP(threading.Thread):
    """A real SNTP server on 127.0.0.1 answering with a fixed transmit time."""
    def __init__(self, unix_time):
        super().__init__(daemon=True)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.s.settimeout(10)
        self.port = self.s.getsockname()[1]
        self.t = unix_time

    def run(self):
        try:
            q, addr = self.s.recvfrom(48)
        except OSError:
            return
        ans = bytearray(48)
        ans[0] = 0x24   # LI 0, version 4, mode 4 (server)
        ans[40:44] = struct.pack("!I", self.t + 2208988800)
        self.s.sendto(bytes(ans), addr)
        self.s.close()


@PORTS
def test_ntp_time_from_a_local_server(port, tmp_path):
    srv = SNTP(1767225600)      # 2026-01-01T00:00:00Z
    srv.start()
    out = run_mpy(port, """
import time, netstack_wifi as w
t = w.ntp_time("127.0.0.1", port=%d)
print(time.gmtime(t)[:6])
""" % srv.port, tmp_path)
    assert out.strip() == "(2026, 1, 1, 0, 0, 0)"
