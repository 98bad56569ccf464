# timeout: 60
# netns: isolated
# MulticastSocket on MicroPython, in a network namespace with only loopback (nothing can
# leave the machine): with no multicast route, addMembership falls back to the loopback
# interface. Two sockets join one group; what one sends the other receives; after
# dropMembership it receives nothing more.
import asyncio
import netstack
from netstack import socket as ns, BusinessError


async def until(pred, ms=3000):
    while not pred():
        if ms <= 0:
            raise AssertionError("condition not met in time")
        await asyncio.sleep_ms(5)
        ms -= 5


async def main():
    a, b = ns.constructMulticastSocketInstance(), ns.constructMulticastSocketInstance()
    got = []
    b.on("message", got.append)
    g = {"address": "239.1.2.3", "port": 46002}
    await a.addMembership(g)
    await b.addMembership(g)
    assert await b.getMulticastTTL() == 1 and await b.getLoopbackMode() is True
    await a.setMulticastTTL(3)
    assert await a.getMulticastTTL() == 3
    await a.send({"data": "to the group", "address": g})
    await until(lambda: got)
    assert got[0]["message"] == b"to the group", got
    await b.dropMembership(g)
    await a.send({"data": "nobody", "address": g})
    await asyncio.sleep_ms(200)
    assert len(got) == 1, got
    try:
        await a.addMembership({"address": "10.0.0.1", "port": 1})
        raise AssertionError("not a group")
    except BusinessError as e:
        assert e.code == 2301022, e
    try:
        a.setMulticastTTL(300)  # (401 at the call: nothing to await)
        raise AssertionError("ttl")
    except BusinessError as e:
        assert e.code == 401
    await a.close()
    await b.close()


netstack.run(main())
print("OK")
