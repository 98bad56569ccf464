# Smoke test: the runtime every device test relies on is there, on every target.
import asyncio
import gc
import socket
import sys

assert sys.implementation.name == "micropython", sys.implementation
gc.collect()
print("heap free:", gc.mem_free())


async def double(x):
    await asyncio.sleep_ms(1)
    return 2 * x

assert asyncio.run(double(21)) == 42

s = socket.socket()
s.close()
print("OK")
