# FROZEN_MANIFEST for MicroPython's ports/rp2, BOARD=RPI_PICO_W:
#   make firmware BOARD=RPI_PICO_W MICROPYTHON_DIR=~/micropython
# A FROZEN_MANIFEST replaces the board's own, so include it: it brings the CYW43 WiFi
# driver's Python side and the networking bundle (ntptime, ...).
metadata(description="netstack for RPI_PICO_W", version="0.1.0")
include("$(BOARD_DIR)/manifest.py")
include("../../frozen/manifest.py")
module("netstack_port.py", base_path="../../ports/rp2")
module("netstack_wifi.py", base_path="../../ports/wlan")
module("netstack_board.py")
