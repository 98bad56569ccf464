# RPI_PICO_W settings: frozen with boards/RPI_PICO_W/manifest.py or copied by
# tools/deploy.py; ports/rp2/netstack_port.py imports them over the library's defaults.
BOARD = "RPI_PICO_W"
# https default when a request gives no caPath/caData (DER or PEM, one or more certificates);
# tools/deploy.py --ca FILE puts one there.
DEFAULT_CA_PATH = "/certs/ca.der"
CACHE_DIR = "/cache"            # HttpResponseCache.flush() files, on the board's flash
# Heap budget: ~200 KB free at boot (v1.28.0). mbedTLS allocates from the GC heap here: one
# session holds ~24.5 KB and a verified HTTPS GET needed 29-31 KB free (IN 16 KiB / OUT
# 4 KiB buffers). deploy.py's import check warns below this after importing http + fetch.
HEAP_MIN_FREE = 32 * 1024
# lwIP (rp2 lwipopts.h: MEM_SIZE 8000, TCP_MSS 800, TCP_WND and TCP_SND_BUF 8 * MSS,
# MEMP_NUM_UDP_PCB 5, TCP_LISTEN_BACKLOG on): pcbs come from small fixed pools.
# netstack.socket (its defaults in ports/<port>/netstack_port.py; these override them)
MAX_CLIENTS = 4                 # connections a TCP/TLS server socket serves at once
BACKLOG = 2                     # listen() backlog (lwIP's listen backlog is on)
RECV_BUF = 2048                 # bytes one socket read takes at most
