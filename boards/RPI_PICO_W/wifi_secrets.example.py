# Copy to wifi_secrets.py (git ignores that name), fill in, and put it on the board:
#     make deploy PORT=... SECRETS=boards/RPI_PICO_W/wifi_secrets.py
# netstack_wifi.connect() reads it. Never commit the real one.
WIFI_SSID = "your-network"
WIFI_PASSWORD = "your-password"
WIFI_COUNTRY = "GB"             # regulatory domain (which channels); optional
# WIFI_HOSTNAME = "netstack-1"  # optional: the name the board gives DHCP
# NTP_HOST = "pool.ntp.org"     # optional: your LAN's NTP server if it has one
