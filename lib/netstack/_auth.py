# HTTP authentication for the engine: Basic values and answers to 401 challenges
# (Basic, Digest MD5). Loaded only when a request carries credentials.
import binascii
from ._err import BusinessError
from . import _port


def b64(s):
    if isinstance(s, str):
        s = s.encode()
    return binascii.b2a_base64(s)[:-1].decode()


def head_lines(x, h, have, userinfo, auth_tried, scheme):
    """The request head's credential lines, appended to h: Proxy-Authorization (Basic, plain
    http through a proxy with credentials) and Authorization (the answer to a 401 tried, or
    Basic from the auth option or the URL's userinfo) unless the user gave one."""
    if x.proxy is not None and scheme == "http" and x.proxy[2]:
        h.append(("proxy-authorization", "Basic " + b64(x.proxy[2])))
    if "authorization" not in have:
        a = x.auth
        if a is None and userinfo:
            u, pw = (userinfo.split(":", 1) + [""])[:2]
            a = x.auth = (u, pw, "basic")
        if auth_tried:
            h.append(("authorization", auth_tried))
        elif a is not None and a[2] == "basic":
            h.append(("authorization", "Basic " + b64(a[0] + ":" + a[1])))


def challenge(x, headers, method, target):
    """The Authorization value answering a 401, or None when we cannot answer it."""
    user, pw, kind = x.auth
    for n, v in headers:
        if n != "www-authenticate":
            continue
        scheme = v.split(" ", 1)[0].lower()
        if scheme == "basic" and (kind is None or kind == "basic"):  # (no tuple constants)
            return "Basic " + b64(user + ":" + pw)
        if scheme == "digest" and (kind is None or kind == "digest"):
            return _digest(user, pw, v, method, target)
    return None


def _digest(user, pw, challenge, method, uri):
    import hashlib
    p = _auth_params(challenge)

    def h(s):
        return binascii.hexlify(hashlib.md5(s.encode()).digest()).decode()

    realm, nonce = p.get("realm", ""), p.get("nonce", "")
    if p.get("algorithm", "MD5").upper() != "MD5":
        raise BusinessError(2300094, "digest algorithm %s not supported" % p.get("algorithm"))
    ha1 = h("%s:%s:%s" % (user, realm, pw))
    ha2 = h("%s:%s" % (method, uri))
    cnonce = binascii.hexlify(_port.random_bytes(8)).decode()
    if "auth" in p.get("qop", "").split(","):
        resp = h("%s:%s:00000001:%s:auth:%s" % (ha1, nonce, cnonce, ha2))
        extra = ', qop=auth, nc=00000001, cnonce="%s"' % cnonce
    else:
        resp = h("%s:%s:%s" % (ha1, nonce, ha2))
        extra = ""
    s = 'Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s"%s' % (
        user, realm, nonce, uri, resp, extra)
    if "opaque" in p:
        s += ', opaque="%s"' % p["opaque"]
    return s


def _auth_params(v):
    out = {}
    v = v.split(" ", 1)[1] if " " in v else ""
    for part in v.split(","):
        if "=" in part:
            k, val = part.split("=", 1)
            out[k.strip().lower()] = val.strip().strip('"')
    return out
