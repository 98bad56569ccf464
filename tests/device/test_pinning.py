# certificatePinning on MicroPython: the pin is checked by mbedTLS's verify callback inside
# the handshake, in addition to chain and host checks, and also with remoteValidation 'skip'.
# (A separate script: at a 110k heap a TLS session wants a fresh heap.)
import gc
CFG = {k: CFG[k] for k in ("httpbins", "https_wronghost", "ca_pem", "other_ca_pem", "ca_der_b64",
                           "spki_sha256_b64")}
gc.collect()
import netstack
from netstack import http, BusinessError
gc.collect()
_free = gc.mem_free()
print("heap free before TLS:", _free)

RIGHT = CFG["spki_sha256_b64"]
WRONG = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
URL = CFG["httpbins"] + "/get"


def pin(h):
    return {"publicKeyHash": h, "hashAlgorithm": "SHA-256"}


def get(url, opts):
    return netstack.run(http.createHttp().request(url, opts))


def error_of(url, opts):
    try:
        get(url, opts)
    except BusinessError as e:
        return e
    raise AssertionError("no error for %s %r" % (url, opts))


# bad shapes: 401 before any connection
for bad in ("x", [], [None], {"publicKeyHash": "a="}, {"publicKeyHash": "a=", "hashAlgorithm": "SHA-1"},
            {"publicKeyHash": "", "hashAlgorithm": "SHA-256"}, [pin("a="), 5]):
    e = error_of(URL, {"caData": CFG["ca_pem"], "certificatePinning": bad})
    assert e.code == 401, (bad, e)

# the DER walk on hostile input: ValueError (the hook turns it into a mismatch), no crash
from netstack.transport import pin as _pin
import binascii
der = binascii.a2b_base64(CFG["ca_der_b64"])
h = _pin.spki_hash(der)
assert len(binascii.a2b_base64(h)) == 32
for n in range(0, len(der), 13):
    try:
        _pin.spki_hash(der[:n])
        raise AssertionError("truncated certificate parsed at %d" % n)
    except ValueError:
        pass
for junk in (b"", b"\x30", b"\x30\x80", b"\x30\x84\xff\xff\xff\xff", b"\x30\x85\x01\x01\x01\x01\x01\x01"):
    try:
        _pin.spki_hash(junk)
        raise AssertionError("junk parsed: %r" % junk)
    except ValueError:
        pass
der = h = None
gc.collect()

print("heap free before TLS:", gc.mem_free())

# the right pin passes; a wrong one fails inside the handshake with 2300090
assert get(URL, {"caData": CFG["ca_pem"], "certificatePinning": pin(RIGHT)}).responseCode == 200
e = error_of(URL, {"caData": CFG["ca_pem"], "certificatePinning": pin(WRONG)})
assert e.code == 2300090 and RIGHT in e.message, e
print("wrong pin:", e.message)
# an array passes when one of its pins matches
assert get(URL, {"caData": CFG["ca_pem"], "certificatePinning": [pin(WRONG), pin(RIGHT)]}).responseCode == 200
# in addition to verification: the right pin does not excuse a wrong CA
e = error_of(URL, {"caData": CFG["other_ca_pem"], "certificatePinning": pin(RIGHT)})
assert e.code == 2300060, e
# documented: both wrong -> 2300090 here (the hook's failure wins inside mbedTLS's
# verification; CPython reports 2300060, tests/host/test_pinning.py)
e = error_of(URL, {"caData": CFG["other_ca_pem"], "certificatePinning": pin(WRONG)})
assert e.code == 2300090, e
# remoteValidation 'skip': chain and host not checked, the pin still is
assert get(URL, {"remoteValidation": "skip", "certificatePinning": pin(RIGHT)}).responseCode == 200
e = error_of(URL, {"remoteValidation": "skip", "certificatePinning": pin(WRONG)})
assert e.code == 2300090, e
e = error_of(CFG["https_wronghost"] + "/ok", {"remoteValidation": "skip", "certificatePinning": pin(RIGHT)})
assert e.code == 2300090, e  # another key
gc.collect()
print("heap free after:", gc.mem_free())
print("OK")
