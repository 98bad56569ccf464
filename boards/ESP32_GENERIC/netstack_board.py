# ESP32_GENERIC settings: frozen with boards/ESP32_GENERIC/manifest.py or copied by
# tools/deploy.py; ports/esp32/netstack_port.py imports them over the library's defaults.
BOARD = "ESP32_GENERIC"
# https default when a request gives no caPath/caData (DER or PEM, one or more certificates);
# tools/deploy.py --ca FILE puts one there.
DEFAULT_CA_PATH = "/certs/ca.der"
CACHE_DIR = "/cache"            # HttpResponseCache.flush() files, on the board's flash
# Heap budget: the GC heap starts at 56 KiB and grows by doubling from the IDF heap, which
# mbedTLS (16 KiB + 4 KiB buffers per TLS session, plus the handshake) and WiFi also take
# from: a session does not show in gc.mem_free() but competes with heap growth.
# deploy.py's import check warns below this.
HEAP_MIN_FREE = 24 * 1024       # free GC heap wanted after importing http + fetch
# lwIP (ESP-IDF defaults, MicroPython's sdkconfig.base): CONFIG_LWIP_MAX_SOCKETS 10 sockets of
# all kinds at once (listening, UDP and DNS included), CONFIG_LWIP_MAX_ACTIVE_TCP 12. mbedTLS
# buffers: IN 16 KiB, OUT 4 KiB (CONFIG_MBEDTLS_ASYMMETRIC_CONTENT_LEN).
# netstack.socket (its defaults in ports/<port>/netstack_port.py; these override them).
# lwIP's sockets are shared by everything: keep servers small.
MAX_CLIENTS = 4                 # connections a TCP/TLS server socket serves at once
BACKLOG = 2                     # listen() backlog
RECV_BUF = 2048                 # bytes one socket read takes at most
