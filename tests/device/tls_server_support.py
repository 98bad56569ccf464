# Shared by the device scripts that run a netstack TLSSocketServer and a netstack TLSSocket
# client in one process (`# include: tls_server_support`): the server's set-up and the
# documented outcome where two TLS sessions do not fit the heap. Only definitions: each
# script takes C (client_cert_pem, client_key_pem) from its CFG and imports netstack.socket
# as ns, gc and BusinessError first; these are looked up when the functions run.


async def tls_server(echo=None):
    # -> (server, its connections as they come, its port): listening on 127.0.0.1, port
    # chosen, the test client certificate as its own; each connection sends echo(bytes)
    # back for every message (echo None: no listener)
    srv = ns.constructTLSSocketServerInstance()
    conns = []

    def on_connect(c):
        conns.append(c)
        if echo is not None:
            c.on("message", lambda m: c.send({"data": echo(m["message"])}, lambda e, d: None))
    srv.on("connect", on_connect)
    await srv.listen({"address": {"address": "127.0.0.1", "port": 0},
                      "secureOptions": {"cert": C["client_cert_pem"], "key": C["client_key_pem"]}})
    return srv, conns, (await srv.getLocalAddress())["port"]


def two_sessions_do_not_fit(e):
    # Two TLS sessions (mbedTLS allocates ~25 KB each from the GC heap on the unix port) and
    # the server's certificate do not fit a 110k heap with the library as .mpy (in RAM), and
    # from ROMFS they fit only when the heap's fragmentation allows (about half the runs):
    # at 110k the documented outcome is 2300002 (out of memory) from listen or connect. With
    # a larger heap the whole exchange runs: anything else fails the script.
    total = gc.mem_free() + gc.mem_alloc()
    try:  # code from a ROMFS image: the runner's heap cap counts the image, a board's does not
        import os
        st = os.statvfs("/rom")
        total -= st[0] * st[2]
    except (OSError, AttributeError):
        pass
    assert isinstance(e, BusinessError) and e.code == 2300002 and total < 120000, (e, total)
    print("documented limit at this heap:", e)
