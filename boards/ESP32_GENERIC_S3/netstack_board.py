# ESP32_GENERIC_S3 settings: frozen with boards/ESP32_GENERIC_S3/manifest.py or copied by
# tools/deploy.py; ports/esp32/netstack_port.py imports them over the library's defaults.
BOARD = "ESP32_GENERIC_S3"
# https default when a request gives no caPath/caData (DER or PEM, one or more certificates);
# tools/deploy.py --ca FILE puts one there.
DEFAULT_CA_PATH = "/certs/ca.der"
CACHE_DIR = "/cache"            # HttpResponseCache.flush() files, on the board's flash
# Heap budget (S3 without PSRAM: 512 KB SRAM; the GC heap starts larger than on ESP32 and
# grows from the IDF heap, which mbedTLS and WiFi also take from: a TLS session does not
# show in gc.mem_free() but competes with heap growth). deploy.py warns below this.
HEAP_MIN_FREE = 24 * 1024       # free GC heap wanted after importing http + fetch
# lwIP (ESP-IDF defaults, MicroPython's sdkconfig.base): CONFIG_LWIP_MAX_SOCKETS 10 sockets of
# all kinds at once (listening, UDP and DNS included), CONFIG_LWIP_MAX_ACTIVE_TCP 12. mbedTLS
# buffers: IN 16 KiB, OUT 4 KiB (CONFIG_MBEDTLS_ASYMMETRIC_CONTENT_LEN).
# netstack.socket (its defaults in ports/<port>/netstack_port.py; these override them).
# lwIP's sockets are shared by everything: keep servers small.
MAX_CLIENTS = 4                 # connections a TCP/TLS server socket serves at once
BACKLOG = 2                     # listen() backlog
RECV_BUF = 2048                 # bytes one socket read takes at most
