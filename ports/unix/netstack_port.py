# MicroPython unix port: the defaults in lib/netstack/_port.py are written for it.
# Debian/Ubuntu keep the system CA bundle here (PEM); set it as the https default.
NAME = "unix"
# mbedTLS allocates with malloc here, not from the GC heap (a verified handshake works with
# 2 KB of GC heap free): tls_heap stays None.
DEFAULT_CA_PATH = None  # e.g. "/etc/ssl/certs/ca-certificates.crt" to trust the system CAs
