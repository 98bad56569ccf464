# Heap allocated by importing a client, in a fresh interpreter: prints one JSON line.
#   micropython -m mp_imp CLIENT      CLIENT: netstack (netstack.http) | requests | fetch
# Run after bench/mp_rom.py has mounted a ROMFS image, it measures the code in flash.
import gc
import sys

c = sys.argv[1]
gc.collect()
a = gc.mem_alloc()
if c == "netstack":
    from netstack import http  # noqa: F401
elif c == "fetch":
    from netstack import fetch  # noqa: F401
elif c == "requests":
    import requests  # noqa: F401
else:
    raise ValueError(c)
gc.collect()
print('{"ok":true,"alloc":%d}' % (gc.mem_alloc() - a))
