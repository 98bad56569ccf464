# timeout: 60
# secureOptions' certificates on a heap without room for them: the operation fails with
# 2300002 (out of memory), the call raises nothing. Before, connect() and listen() raised a
# bare MemoryError from the PEM decoding at the call (seen at 110k with the code as .mpy:
# transport.tls.pem_to_ders). The heap is cut into holes of ~500 B: the DER (and the PEM's
# copies) need more, the call's small objects fit.
# include: socket_support
# include: holes_support
import gc
C = {k: CFG[k] for k in ("ca_pem", "client_cert_pem", "client_key_pem")}
CFG = None
gc.collect()
import asyncio
import netstack
from netstack import socket as ns, BusinessError



async def main():
    s = ns.constructTLSSocketInstance()
    srv = ns.constructTLSSocketServerInstance()
    A = {"address": "127.0.0.1", "port": 1}
    holes()
    try:
        aw = s.connect({"address": A, "secureOptions": {"ca": C["ca_pem"]}})
        aw2 = srv.listen({"address": A, "secureOptions": {"cert": C["client_cert_pem"],
                                                          "key": C["client_key_pem"]}})
    finally:
        refill()
    for a in (aw, aw2):
        c = await code(a)
        assert c == 2300002, c
    # the same connect with the heap there: the material loads (then refused: no peer)
    c = await code(s.connect({"address": A, "secureOptions": {"ca": C["ca_pem"]}}))
    assert c == 2303211, c
    await srv.close()
    print("out of memory at the call: 2300002 from the operation")


netstack.run(main())
print("OK")
