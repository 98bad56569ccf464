# timeout: 60
# netstack.socket on MicroPython: a bad argument raises BusinessError(401) at the call in
# every class, as OpenHarmony throws it, in both call styles (the callback never runs);
# errors of the system (a bind address that is no IP: 2301099) still come from the
# operation. No peer needed.
# include: socket_support
CFG = None
import gc
gc.collect()
import asyncio
import netstack
from netstack import socket as ns, BusinessError

called = []


def cb(e, d):
    called.append(e)


async def main():
    bad = {"address": "127.0.0.1", "port": 70000}
    A1 = {"address": "127.0.0.1", "port": 1}
    tcp, udp = ns.constructTCPSocketInstance(), ns.constructUDPSocketInstance()
    m, srv = ns.constructMulticastSocketInstance(), ns.constructTCPSocketServerInstance()
    tls, tlss = ns.constructTLSSocketInstance(), ns.constructTLSSocketServerInstance()
    calls = [(tcp.bind, bad), (tcp.connect, {"address": bad}), (tcp.send, {"data": 1}),
             (tcp.setExtraOptions, {"keepAlive": 1}),
             (srv.listen, {"address": "::1", "family": 1}), (srv.setExtraOptions, 5),
             (udp.bind, None), (udp.send, {"data": "x"}),
             (udp.send, {"data": None, "address": A1}), (udp.setExtraOptions, {"broadcast": 0}),
             (m.addMembership, {"address": ""}), (m.dropMembership, 7),
             (m.setMulticastTTL, -1), (m.setLoopbackMode, "on"),
             (tls.connect, {"address": A1, "secureOptions": {"ca": 1}}),
             (tls.connect, {"address": A1, "skipRemoteValidation": 1}), (tls.send, {}),
             (tlss.listen, {"address": A1, "secureOptions": {}}), (tlss.listen, None)]
    try:
        loc, locs = ns.constructLocalSocketInstance(), ns.constructLocalSocketServerInstance()
        calls += [(loc.bind, {"address": ""}), (loc.send, {"data": 2}), (locs.listen, {}),
                  (loc.connect, {"address": {"address": "x"}, "timeout": -1})]
    except BusinessError as e:
        assert e.code == 801, e  # no AF_UNIX on this port
    for fn, arg in calls:
        assert at_call(fn, arg) == 401, arg
        assert at_call(fn, arg, cb) == 401, arg
    await asyncio.sleep_ms(10)
    assert called == [], called
    op = tcp.bind({"address": "not-an-ip"})  # no raise here: a system error, from the run
    assert await code(op) == 2301099
    await tcp.close()
    await udp.close()
    print("checked", len(calls), "calls")


netstack.run(main())
print("OK")
