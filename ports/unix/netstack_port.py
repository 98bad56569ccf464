# MicroPython unix port: the defaults in lib/netstack/_port.py are written for it.
# Debian/Ubuntu keep the system CA bundle here (PEM); set it as the https default.
NAME = "unix"
DEFAULT_CA_PATH = None  # e.g. "/etc/ssl/certs/ca-certificates.crt" to trust the system CAs
# HttpResponseCache files: the user's cache dir, not "/" as on a board.
import os as _os
CACHE_DIR = (_os.getenv("XDG_CACHE_HOME") or (_os.getenv("HOME") or "/tmp") + "/.cache") + "/netstack"
