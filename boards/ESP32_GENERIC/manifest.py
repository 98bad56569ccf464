# FROZEN_MANIFEST for MicroPython's ports/esp32, BOARD=ESP32_GENERIC:
#   make firmware BOARD=ESP32_GENERIC MICROPYTHON_DIR=~/micropython
# A FROZEN_MANIFEST replaces the board's own, so the port's modules come first. ESP32 boards
# have no manifest.py of their own: the port's is what stock firmware freezes.
metadata(description="netstack for ESP32_GENERIC", version="0.1.0")
include("$(PORT_DIR)/boards/manifest.py")
include("../../frozen/manifest.py")
module("netstack_port.py", base_path="../../ports/esp32")
module("netstack_wifi.py", base_path="../../ports/wlan")
module("netstack_board.py")
