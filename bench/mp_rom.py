# Mount a ROMFS image at /rom as a board does at boot, then run another bench module:
#   micropython -X heapsize=N -m mp_rom IMAGE SIZE MODULE ARGS...
# The image is read into one bytearray of its exact size, first, so it sits at the bottom
# of the heap (bench/ram.py adds its size to the heap cap: on a board it lives in flash).
import sys
import vfs

_b = bytearray(int(sys.argv[2]))
_f = open(sys.argv[1], "rb")
_f.readinto(_b)
_f.close()
vfs.mount(vfs.VfsRom(_b), "/rom")
sys.path.insert(0, "/rom")
_m = sys.argv[3]
del sys.argv[1:4]  # the module sees its own arguments
del _f
__import__(_m)
