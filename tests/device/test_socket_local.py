# timeout: 60
# Local sockets (AF_UNIX) on MicroPython: a LocalSocketServer and a LocalSocket in one
# process, echo, payload, getters, errors. Where the runtime has no AF_UNIX the
# constructors must raise 801 (capability not supported on this port) instead.
import gc
import os
import socket
import asyncio
import netstack
from netstack import socket as ns, BusinessError


async def until(pred, ms=5000):
    while not pred():
        if ms <= 0:
            raise AssertionError("condition not met in time")
        await asyncio.sleep_ms(5)
        ms -= 5


async def main(path):
    srv = ns.constructLocalSocketServerInstance()
    conns = []

    def on_connect(c):
        conns.append(c)
        c.on("message", lambda m: c.send({"data": m["message"].upper()}, lambda e, d: None))
    srv.on("connect", on_connect)
    await srv.listen({"address": path})
    assert await srv.getLocalAddress() == path
    c = ns.constructLocalSocketInstance()
    got = []
    c.on("message", got.append)
    await c.connect({"address": {"address": path}, "timeout": 2000})
    await c.send({"data": "local"})
    await until(lambda: got)
    assert got[0] == {"message": b"LOCAL", "address": path, "size": 5}, got
    st = await c.getState()
    assert st["isConnected"] and not st["isClose"], st
    await c.close()
    await srv.close()
    await until(lambda: conns and conns[0]._st & 4)
    try:
        await ns.constructLocalSocketInstance().connect({"address": {"address": path + "x"}})
        raise AssertionError("no error")
    except BusinessError as e:
        assert e.code == 2301002, e  # ENOENT
    print("local ok")


if getattr(socket, "AF_UNIX", None) is None:
    for f in (ns.constructLocalSocketInstance, ns.constructLocalSocketServerInstance):
        try:
            f()
            raise AssertionError("no error")
        except BusinessError as e:
            assert e.code == 801, e
    print("no AF_UNIX here: 801 as documented")
else:
    # a fresh name each run: a vboard's os.remove works on its own file system, not on
    # the host's /tmp where the socket file is made
    path = "/tmp/netstack-test-%s.sock" % "".join("%02x" % b for b in os.urandom(6))
    try:
        os.remove(path)
    except OSError:
        pass
    try:
        netstack.run(main(path))
    finally:
        try:
            os.remove(path)
        except OSError:
            pass
print("OK")
