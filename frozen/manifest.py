# Freeze netstack into firmware: in a board's manifest, `include("<repo>/frozen/manifest.py")`.
# Frozen bytecode stays in flash, so the library costs almost no heap (see docs/http.md).
package("netstack", base_path="../lib")
# The port seam for the board being built: set NETSTACK_PORT=esp32|rp2 in the build env.
import os as _os
module("netstack_port.py", base_path="../ports/" + _os.environ.get("NETSTACK_PORT", "unix"))
