# The library alone, for a firmware manifest to include. Use a board's manifest instead
# (boards/<BOARD>/manifest.py): it adds the port's own modules, the port seam and the board's
# settings. Frozen bytecode runs from flash, so the library costs little heap (docs/boards.md).
package("netstack", base_path="../lib")
# its native-code modules (viper), compiled for the firmware's architecture by the build
package("netstack", base_path="../ports/native")
