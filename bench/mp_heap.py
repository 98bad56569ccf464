# Heap cases for bench/mp_bench.py: one GET of /small, nothing else. bench/run.py looks for
# the smallest -X heapsize at which this passes (200 and the exact 100-byte body).
#   heap_get    http://127.0.0.1:port/small
#   heap_https  https://127.0.0.1:sport/small; raw and netstack verify the server against
#               the bench CA; requests cannot (it sets CERT_NONE), so it verifies nothing
#   heap_import only import the client (raw_get, requests, netstack.http): its code and
#               module state, without a GET
#   heap_none   no GET: the floor (interpreter + mp_bench + this module) under every figure
SMALL = b"netstack-bench /small 0123456789abcdefghijklmnopqrstuvwxyz.........................................\n"
HOST = "127.0.0.1"


def run(case, client, a):
    if case == "heap_none":
        return
    if case == "heap_import":
        if client == "raw":
            import raw_get
        elif client == "requests":
            import requests
        elif client == "netstack":
            try:
                from netstack import http
            except Exception as e:
                raise RuntimeError("netstack.http not available: %s: %s" % (type(e).__name__, e))
        else:
            raise ValueError("unknown client " + client)
        return
    if case == "heap_get":
        https = False
    elif case == "heap_https":
        https = True
    else:
        raise ValueError("unknown case " + case)
    port = int(a["sport"] if https else a["port"])
    if client == "raw":
        import raw_get

        ctx = None
        if https:
            import tls

            ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
            f = open(a["ca"], "rb")
            ctx.load_verify_locations(f.read())
            f.close()
            ctx.verify_mode = tls.CERT_REQUIRED
        buf = bytearray(128)
        st, n = raw_get.get(HOST, port, "/small", buf, ctx)
        good = st == 200 and n == len(SMALL) and buf[:n] == SMALL
    elif client == "requests":
        import requests

        r = requests.get("%s://%s:%d/small" % ("https" if https else "http", HOST, port))
        good = r.status_code == 200 and r.content == SMALL
        r.close()
    elif client == "netstack":
        try:
            import netstack
            from netstack import http
        except Exception as e:
            raise RuntimeError("netstack.http not available: %s: %s" % (type(e).__name__, e))
        opts = {"method": "GET"}
        if https:
            if a.get("tls", "caPath") == "caData":
                f = open(a["capem"])
                opts["caData"] = f.read()
                f.close()
            else:
                opts["caPath"] = a["capem"]
        req = http.createHttp()
        resp = netstack.run(req.request("%s://%s:%d/small" % ("https" if https else "http", HOST, port), opts))
        req.destroy()
        body = resp.result
        if isinstance(body, str):
            body = body.encode()
        good = resp.responseCode == 200 and body == SMALL
    else:
        raise ValueError("unknown client " + client)
    if not good:
        raise ValueError("wrong response")
