# ESP32 (lwIP, mbedTLS in the IDF): TLS uses the IDF's heap, DNS blocks in lwIP.
NAME = "esp32"
DEFAULT_CA_PATH = "/certs/ca.der"  # put the CA bundle your servers need on the board's flash


def net_ready():
    # The library calls this before it dials: False fails the request at once.
    import network
    return network.WLAN(network.STA_IF).isconnected()

# Socket options by neutral name -> (level, option): lwIP's numbers (_port.sockopt).
# Only what MicroPython's esp32 socket.setsockopt passes on to lwIP: any other option
# prints "option not implemented" and is not set, so it is left out here and reported as
# unavailable (rcvbuf, sndbuf, linger, oobinline, ttl, multicast ttl/loop/if, drop).
SOCKOPTS = {"reuseaddr": (0xFFF, 0x0004), "keepalive": (0xFFF, 0x0008),
            "broadcast": (0xFFF, 0x0020), "nodelay": (6, 0x01), "add_membership": (0, 3)}
# netstack.socket on a board: few clients, small reads
MAX_CLIENTS = 4
BACKLOG = 2
RECV_BUF = 2048


try:
    from netstack_board import *  # noqa: F401,F403  boards/<BOARD>/netstack_board.py
except ImportError:
    pass
