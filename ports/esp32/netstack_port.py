# ESP32 (lwIP, mbedTLS in the IDF): TLS uses the IDF's heap, DNS blocks in lwIP.
NAME = "esp32"
DEFAULT_CA_PATH = "/certs/ca.der"  # put the CA bundle your servers need on the board's flash


def net_ready():
    import network
    return network.WLAN(network.STA_IF).isconnected()

# Socket options by neutral name -> (level, option): lwIP's numbers (_port.sockopt).
SOCKOPTS = {"reuseaddr": (0xFFF, 0x0004), "keepalive": (0xFFF, 0x0008),
            "broadcast": (0xFFF, 0x0020), "sndbuf": (0xFFF, 0x1001), "rcvbuf": (0xFFF, 0x1002),
            "nodelay": (6, 0x01), "ttl": (0, 2), "multicast_ttl": (0, 5),
            "multicast_loop": (0, 7), "add_membership": (0, 3), "drop_membership": (0, 4)}
