# timeout: 60
# A program that never imports asyncio and runs netstack.socket operations one by one with
# netstack.run(op): close() of a socket never connected sleeps on the one-task loop (no
# asyncio); connect starts the socket's reader task, which loads asyncio in the middle of a
# step of the one-task loop (docs/core.md: the one-task loop and its move onto asyncio's
# loop); the rest (TCP and TLS) then run on asyncio's loop.
import gc
import sys
import time
ECHO = CFG["tcp_echo"]
TLS = CFG["tls_echo"]
CA = CFG["ca_pem"]
CFG = None
gc.collect()
import netstack
from netstack import socket as ns

assert "asyncio" not in sys.modules
# close() of a socket never connected: it awaits _port.sleep_ms(0), the one-task loop's
netstack.run(ns.constructTCPSocketInstance().close())
assert "asyncio" not in sys.modules
s = ns.constructTCPSocketInstance()
msgs = []
s.on("message", lambda m: msgs.append(bytes(m["message"])))
netstack.run(s.connect({"address": {"address": "127.0.0.1", "port": ECHO}, "timeout": 5000}))
assert "asyncio" in sys.modules  # (its reader: a second task)
netstack.run(s.send({"data": "hello"}))
t = time.ticks_ms()
while sum(len(m) for m in msgs) < 5 and time.ticks_diff(time.ticks_ms(), t) < 5000:
    netstack.run(s.getState())  # (each run lets the reader task run)
    time.sleep_ms(5)
assert b"".join(msgs) == b"hello", msgs
netstack.run(s.close())

t = ns.constructTLSSocketInstance()
got = []
t.on("message", lambda m: got.append(bytes(m["message"])))
netstack.run(t.connect({"address": {"address": "127.0.0.1", "port": TLS},
                        "secureOptions": {"ca": CA}, "timeout": 5000}))
netstack.run(t.send({"data": "tls"}))
n = time.ticks_ms()
while sum(len(m) for m in got) < 3 and time.ticks_diff(time.ticks_ms(), n) < 5000:
    netstack.run(t.getState())
    time.sleep_ms(5)
assert b"".join(got) == b"tls", got
netstack.run(t.close())
print("OK")
