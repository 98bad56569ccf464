# ESP32 (lwIP, mbedTLS in the IDF): TLS uses the IDF's heap, DNS blocks in lwIP.
NAME = "esp32"
DEFAULT_CA_PATH = "/certs/ca.der"  # put the CA bundle your servers need on the board's flash


def net_ready():
    import network
    return network.WLAN(network.STA_IF).isconnected()
