# WiFi bring-up for netstack on ESP32 and the Pico W (network.WLAN station), and the clock
# from NTP. One file for both: they differ only where the Pico W's CYW43 driver does (_CYW43).
#     import netstack_wifi
#     netstack_wifi.up()          # connect (wifi_secrets.py), then set the clock: https needs it
#     netstack_wifi.status()      # 'connected 192.168.1.23', 'wrong password', ...
# Reads WIFI_SSID, WIFI_PASSWORD (optional: WIFI_HOSTNAME, WIFI_COUNTRY, NTP_HOST) from
# wifi_secrets.py on the board (template: boards/<BOARD>/wifi_secrets.example.py; never
# commit the real one).
import time
import network

TIMEOUT_MS = 20000      # one connect attempt
BACKOFF_MS = (1000, 60000)  # reconnect(): first and longest wait between attempts
NTP_HOST = "pool.ntp.org"
NTP_DELTA = 3155673600 if time.gmtime(0)[0] == 2000 else 2208988800  # NTP era -> epoch

_wlan = None


def _secrets():
    try:
        import wifi_secrets as s
    except ImportError:
        raise OSError("no wifi_secrets.py on the board: copy boards/<BOARD>/wifi_secrets.example.py")
    return s


def wlan():
    global _wlan
    if _wlan is None:
        _wlan = network.WLAN(network.STA_IF)
    return _wlan


def _cyw43():
    # the Pico W's driver numbers its states 0..3 (STAT_GOT_IP 3); ESP32's from 1000
    return getattr(network, "STAT_GOT_IP", None) == 3


def _names():
    # status code -> text, from the constants this firmware has (they differ by port)
    out = {}
    for n in ("STAT_IDLE", "STAT_CONNECTING", "STAT_GOT_IP", "STAT_NO_AP_FOUND",
              "STAT_WRONG_PASSWORD", "STAT_BEACON_TIMEOUT", "STAT_ASSOC_FAIL",
              "STAT_HANDSHAKE_TIMEOUT", "STAT_CONNECT_FAIL"):
        if hasattr(network, n):
            out[getattr(network, n)] = n[5:].lower().replace("_", " ")
    return out


def status():
    """The station's state as text: 'connected IP', 'connecting', 'wrong password', ..."""
    w = wlan()
    if not w.active():
        return "off"
    if w.isconnected():
        return "connected " + w.ifconfig()[0]
    st = w.status()
    if st == 2 and _cyw43():   # CYW43_LINK_NOIP: joined, DHCP not done
        return "joined, waiting for an address"
    return _names().get(st, "status %r" % (st,))


def ready():
    return _wlan is not None and _wlan.isconnected()


def _failed(st):
    # a final answer from the driver: waiting longer will not help
    for n in ("STAT_NO_AP_FOUND", "STAT_WRONG_PASSWORD", "STAT_CONNECT_FAIL", "STAT_ASSOC_FAIL",
              "STAT_HANDSHAKE_TIMEOUT", "STAT_BEACON_TIMEOUT"):
        if st == getattr(network, n, None):
            return True
    return False


def connect(ssid=None, password=None, timeout_ms=TIMEOUT_MS):
    """Join the network (default: wifi_secrets.py) -> the IP address. Raises OSError with the
    status as text on a wrong password, no such AP, or no address within timeout_ms."""
    w = wlan()
    if ssid is None:
        s = _secrets()
        ssid, password = s.WIFI_SSID, s.WIFI_PASSWORD
        host = getattr(s, "WIFI_HOSTNAME", None)
        if host and hasattr(network, "hostname"):
            network.hostname(host)
        country = getattr(s, "WIFI_COUNTRY", None)   # regulatory domain: which channels
        if country and hasattr(network, "country"):
            network.country(country)
    w.active(True)
    if _cyw43():
        w.config(pm=0xA11140)   # CYW43 power saving off: lower latency for servers and transfers
    if w.isconnected():
        return w.ifconfig()[0]
    w.connect(ssid, password)
    t0 = time.ticks_ms()
    while not w.isconnected():
        st = w.status()
        if _failed(st):
            w.disconnect()
            raise OSError("wifi: %s (%s)" % (_names().get(st, st), ssid))
        if time.ticks_diff(time.ticks_ms(), t0) > timeout_ms:
            last = status()
            w.disconnect()
            raise OSError("wifi: no connection to %s after %d ms (%s)" % (ssid, timeout_ms, last))
        time.sleep_ms(100)
    return w.ifconfig()[0]


def reconnect(attempts=5, timeout_ms=TIMEOUT_MS, backoff_ms=BACKOFF_MS):
    """connect() until it works, waiting 1 s, 2 s, 4 s ... (at most backoff_ms[1]) between
    attempts -> the IP address; the last attempt's OSError if none worked."""
    wait = backoff_ms[0]
    for i in range(attempts):
        try:
            return connect(timeout_ms=timeout_ms)
        except OSError as e:
            if i == attempts - 1:
                raise
            print("wifi: %s; again in %d ms" % (e, wait))
        time.sleep_ms(wait)
        wait = min(wait * 2, backoff_ms[1])


async def keep_up(check_ms=5000, timeout_ms=TIMEOUT_MS, backoff_ms=BACKOFF_MS):
    """A task that reconnects whenever the link drops, with the same backoff:
    asyncio.create_task(netstack_wifi.keep_up()). Requests made while it is down fail at once
    (netstack_port.net_ready)."""
    import asyncio
    wait = backoff_ms[0]
    while True:
        if wlan().isconnected():
            wait = backoff_ms[0]
            await asyncio.sleep_ms(check_ms)
            continue
        try:
            connect(timeout_ms=timeout_ms)
            print("wifi: back up,", status())
        except OSError as e:
            print("wifi: %s; again in %d ms" % (e, wait))
            await asyncio.sleep_ms(wait)
            wait = min(wait * 2, backoff_ms[1])


def ntp_time(host=None, timeout_ms=2000, port=123):
    """Seconds since the port's epoch from an SNTP server (one UDP exchange)."""
    import socket
    import struct
    if host is None:
        try:
            host = _secrets().NTP_HOST
        except (OSError, AttributeError):
            host = NTP_HOST
    q = bytearray(48)
    q[0] = 0x1B         # LI 0, version 3, mode 3 (client)
    addr = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)[0][-1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout_ms / 1000)
        s.sendto(q, addr)
        msg = s.recv(48)
    finally:
        s.close()
    if len(msg) < 48 or msg[0] & 7 != 4:
        raise OSError("ntp: bad answer from %s" % host)
    secs = struct.unpack("!I", msg[40:44])[0]
    if not secs:
        raise OSError("ntp: %s sent no time (kiss-o'-death or unsynchronised)" % host)
    return secs - NTP_DELTA


def set_time(host=None, timeout_ms=2000, tries=3):
    """Set the RTC (UTC) from NTP. Do it before the first https request: mbedTLS checks
    certificate dates, and a board boots in 2000 (or 1970)."""
    import machine
    for i in range(tries):
        try:
            t = time.gmtime(ntp_time(host, timeout_ms))
            break
        except OSError:
            if i == tries - 1:
                raise
            time.sleep_ms(500)
    machine.RTC().datetime((t[0], t[1], t[2], t[6] + 1, t[3], t[4], t[5], 0))
    return t


def up(timeout_ms=TIMEOUT_MS):
    """What boot.py calls: connect (with retries), then set the clock -> the IP address."""
    ip = reconnect(attempts=3, timeout_ms=timeout_ms)
    try:
        set_time()
    except OSError as e:
        print("wifi: clock not set (%s): https certificate dates will fail" % e)
    return ip
