# boot.py for netstack on a board (template: copy with `make deploy ... BOOT=1`, or by hand).
# Joins WiFi (wifi_secrets.py) and sets the clock from NTP: https checks certificate dates,
# and a board boots in 2000. A failure is printed, not raised: the REPL stays usable.
import gc

try:
    import netstack_wifi
    print("wifi:", netstack_wifi.up())
except Exception as e:      # no secrets, wrong password, no AP: say so and go on
    print("wifi: not up:", e)
gc.collect()
