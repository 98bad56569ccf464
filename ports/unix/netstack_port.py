# MicroPython unix port: the defaults in lib/netstack/_port.py are written for it.
# Debian/Ubuntu keep the system CA bundle here (PEM); set it as the https default.
NAME = "unix"
DEFAULT_CA_PATH = None  # e.g. "/etc/ssl/certs/ca-certificates.crt" to trust the system CAs
