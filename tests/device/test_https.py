# https on MicroPython: verification by default, errors that say what failed.
# (A separate script from test_http.py: at a 110k heap a TLS session wants a fresh heap.)
import gc
# keep only what this script uses: at a 110k heap the unused PEM strings in CFG matter
CFG = {k: CFG[k] for k in ("httpbins", "https_wronghost", "ca_pem", "other_ca_pem")}
gc.collect()
import netstack
from netstack import http, BusinessError
gc.collect()
_free = gc.mem_free()
print("heap free before TLS:", _free)


def get(url, opts=None, req=None):
    return netstack.run((req or http.createHttp()).request(url, opts or {}))


def code_of(url, opts=None):
    try:
        get(url, opts)
    except BusinessError as e:
        return e.code
    raise AssertionError("no error for " + url)


# TLS: verified by default against the given CA; failures say what failed
r = get(CFG["httpbins"] + "/get", {"caData": CFG["ca_pem"]})
assert r.responseCode == 200
r = None
try:
    get(CFG["httpbins"] + "/get", {"caData": CFG["other_ca_pem"]})
    raise AssertionError("wrong CA accepted")
except BusinessError as e:
    assert e.code == 2300060, e
    print("wrong CA:", e.message)
try:
    get(CFG["https_wronghost"] + "/ok", {"caData": CFG["ca_pem"]})
    raise AssertionError("wrong host accepted")
except BusinessError as e:
    assert e.code == 2300060, e
    print("wrong host:", e.message)
assert code_of(CFG["httpbins"] + "/get") == 2300077

print("OK")
