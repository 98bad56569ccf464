# Raspberry Pi Pico W (lwIP + CYW43, mbedTLS on the MicroPython heap: ≈ 26 KB per TLS session).
NAME = "rp2"
DEFAULT_CA_PATH = "/certs/ca.der"
# mbedTLS allocates from the GC heap here: a verified HTTPS GET needed 29-31 KB free (one
# session holds about 24.5 KB; IN 16 KiB / OUT 4 KiB records). Below this after a
# collection a TLS client fails at once with out of memory (2300027), not inside
# certificate verification, where mbedTLS would call it a certificate that is "not
# correctly signed by the trusted CA".
tls_heap = 31 * 1024


def net_ready():
    # The library calls this before it dials: False fails the request at once.
    import network
    return network.WLAN(network.STA_IF).isconnected()

# Socket options: rp2's socket module (extmod/modlwip.c, lwIP's raw API) sets only these;
# other names are "not available here" (_port.sockopt returns False).
def _opts():
    import socket
    t = {}
    for name, k in (("reuseaddr", "SO_REUSEADDR"), ("broadcast", "SO_BROADCAST")):
        if hasattr(socket, k):
            t[name] = (socket.SOL_SOCKET, getattr(socket, k))
    for name, k in (("add_membership", "IP_ADD_MEMBERSHIP"),):
        if hasattr(socket, k):
            t[name] = (0, getattr(socket, k))
    return t


SOCKOPTS = _opts()
# netstack.socket on a board: few clients, small reads
MAX_CLIENTS = 4
BACKLOG = 2
RECV_BUF = 2048


try:
    from netstack_board import *  # noqa: F401,F403  boards/<BOARD>/netstack_board.py
except ImportError:
    pass
