# timeout: 120
# No busy polling: open TLS connections cost no CPU while nothing arrives (issue 9 §3).
# On the unix port a TLS socket has no file descriptor, so asyncio's poller looked at it
# every 1 ms (1,000 wake-ups a second for one idle TLS socket); the library now waits on
# the TCP socket under it when mbedTLS holds nothing (_porttls.tls_wrap, tls_on).
# Measured (idle_support): 200 turns of the loop (each took 1 ms or more with the poll)
# and, where /proc can be read, an idle second's voluntary context switches (each 1 ms
# poll sleeps once) and CPU time. Idle here: a TLSSocket to the TLS echo peer (a
# TLSSocketServer's connection: test_socket_idle_srv.py; a wss webSocket: test_ws_idle.py;
# together they do not fit the 110k heap). And a wait that must not be taken: a 4 KB
# echo read 256 bytes at a time (mbedTLS holds the rest of each record, decrypted, while
# the TCP socket has nothing: no wait there).
# include: socket_support
# include: idle_support
import gc
C = {k: CFG[k] for k in ("tls_echo", "ca_pem")}
CFG = None
gc.collect()
import asyncio
import time
import netstack
from netstack import socket as ns

BLOB = bytes(range(256)) * 16  # (made first: at 110k the heap has no 4 KB block later)


def tls_opts(port):
    return {"address": {"address": "127.0.0.1", "port": port},
            "secureOptions": {"ca": C["ca_pem"]}}


async def client():
    # one TLSSocket, read 256 bytes at a time: a 4 KB echo (the peer's records hold up to
    # 16 KB) leaves mbedTLS holding decrypted bytes after each read, with nothing on the
    # TCP socket (no wait there, or the rest would come only with the peer's next bytes)
    s = ns.constructTLSSocketInstance()
    st = [0, 0, True]  # bytes seen, largest message, all as sent

    def on_msg(m):
        d = m["message"]
        st[2] = st[2] and d == BLOB[st[0]:st[0] + len(d)]
        st[0] += len(d)
        st[1] = max(st[1], len(d))
    s.on("message", on_msg)
    await s.setExtraOptions({"receiveBufferSize": 256})
    await s.connect(tls_opts(C["tls_echo"]))
    # options on a connected TLSSocket go to its TCP socket (MicroPython's TLS socket has
    # no setsockopt: this raised AttributeError), and so does getSocketFd (it was -1)
    await s.setExtraOptions({"reuseAddress": True})
    assert await s.getSocketFd() > 2
    await s.send({"data": BLOB})
    await until(lambda: st[0] >= len(BLOB))
    assert st[0] == len(BLOB) and st[2] and st[1] <= 256, st
    await idle("TLSSocket")
    await s.close()
    print("TLSSocket ok")


async def main():
    await idle("nothing open")
    await client()


netstack.run(main())
print("OK")
