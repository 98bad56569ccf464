# Raspberry Pi Pico W (lwIP + CYW43, mbedTLS on the MicroPython heap: ≈ 26 KB per TLS session).
NAME = "rp2"
DEFAULT_CA_PATH = "/certs/ca.der"


def net_ready():
    import network
    return network.WLAN(network.STA_IF).isconnected()
