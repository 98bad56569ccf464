# certificatePinning (@ohos.net.http, API 12): the option's parsing, loaded only when a
# request uses it. As curl's CURLOPT_PINNEDPUBLICKEY "sha256//<base64>;..." (what
# OpenHarmony hands curl): base64(SHA-256(DER of the server certificate's
# SubjectPublicKeyInfo)) must equal one of the pins. The check itself (transport.pin.pin_hook)
# runs inside the handshake, before any request byte is sent; see docs/http.md.
from ._err import param


def parse(v):
    """The option value -> [base64 str]; a wrong shape raises BusinessError(401)."""
    out = []
    for p in v if isinstance(v, list) else (v,):
        h = p.get("publicKeyHash") if isinstance(p, dict) else None
        if not isinstance(h, str) or not h or p.get("hashAlgorithm") != "SHA-256":
            break
        out.append(h)
    else:
        if out:
            return out
    raise param("certificatePinning must be {publicKeyHash: base64 string, "
                "hashAlgorithm: 'SHA-256'} or a non-empty array of them")

