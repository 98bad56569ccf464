# A stand-in for a board's `network` module on the MicroPython unix port (which has none),
# to drive ports/wlan/netstack_wifi.py through link states no machine here can produce.
# PLAN: one list per connect() call of statuses the driver reports, one per status() poll;
# the last one repeats. Constants as on ESP32 (PORT=esp32) or the Pico W's CYW43 (rp2).
import os

PORT = os.getenv("FAKE_NETWORK_PORT") or "esp32"
STA_IF = 0
if PORT == "esp32":
    STAT_IDLE, STAT_CONNECTING, STAT_GOT_IP = 1000, 1001, 1010
    STAT_NO_AP_FOUND, STAT_WRONG_PASSWORD = 201, 202
    STAT_BEACON_TIMEOUT, STAT_ASSOC_FAIL, STAT_HANDSHAKE_TIMEOUT = 200, 203, 204
else:
    STAT_IDLE, STAT_CONNECTING, STAT_GOT_IP = 0, 1, 3
    STAT_CONNECT_FAIL, STAT_NO_AP_FOUND, STAT_WRONG_PASSWORD = -1, -2, -3

PLAN = []
LOG = []
_country = None


def country(c=None):
    global _country
    if c is None:
        return _country
    _country = c
    LOG.append(("country", c))


def hostname(h=None):
    LOG.append(("hostname", h))


class WLAN:
    _one = None

    def __new__(cls, iface=STA_IF):
        if WLAN._one is None:
            w = object.__new__(cls)
            w._active, w._st, w._left = False, STAT_IDLE, []
            WLAN._one = w
        return WLAN._one

    def __init__(self, iface=STA_IF):
        pass

    def active(self, on=None):
        if on is None:
            return self._active
        self._active = on

    def config(self, **kw):
        LOG.append(("config", sorted(kw.items())))

    def connect(self, ssid, password):
        LOG.append(("connect", ssid, password))
        self._left = list(PLAN.pop(0)) if PLAN else [STAT_GOT_IP]
        self._st = STAT_CONNECTING

    def disconnect(self):
        LOG.append(("disconnect",))
        self._st, self._left = STAT_IDLE, []

    def drop(self):     # the test's hand: the AP goes away
        self._st, self._left = STAT_IDLE, []

    def status(self):
        if self._left:
            self._st = self._left.pop(0) if len(self._left) > 1 else self._left[0]
        return self._st

    def isconnected(self):
        return self._st == STAT_GOT_IP

    def ifconfig(self):
        return ("10.0.0.2" if self._st == STAT_GOT_IP else "0.0.0.0",
                "255.255.255.0", "10.0.0.1", "10.0.0.1")
