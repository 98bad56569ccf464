# URL helpers for http/https/ws/wss: split and the Host header here; percent-encoding,
# redirect resolution (RFC 3986 §5.2, dot segments included) and query merging in urlx,
# reached through this module (url.join, url.quote, ...) and loaded on first use.
from . import ProtoError, URL, SCHEME
from .http1 import has_ctl

_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _bad(n):  # a message number (proto/msgs.py)
    return ProtoError(URL, n, 400)


def split(url):
    """-> (scheme, host, port, target, userinfo). host is lowercased, an IPv6 literal comes
    without brackets; target is path+query ('/' when empty), fragment dropped; userinfo is
    None without '@' and stays percent-encoded."""
    if not isinstance(url, str):
        raise _bad(28)  # URL must be a str
    if has_ctl(url):
        raise _bad(29)  # space or control char in URL
    i = url.find("://")
    if i <= 0:
        raise _bad(30)  # missing '://' in URL
    scheme = url[:i].lower()
    port = _PORTS.get(scheme)
    if port is None:
        raise ProtoError(SCHEME, 31, 400, scheme[:16])  # unsupported scheme '%s'
    a = i + 3
    n = len(url)
    b = n  # the authority ends at the first '/', '?' or '#'
    for c in "/?#":
        k = url.find(c, a, b)
        if k >= 0:
            b = k
    auth = url[a:b]
    user = None
    k = auth.rfind("@")
    if k >= 0:
        user = auth[:k]
        auth = auth[k + 1 :]
    if auth and auth[0] == "[":
        k = auth.find("]")
        host = auth[1:k]
        rest = auth[k + 1 :]
        if k < 0 or ":" not in host or (rest and rest[0] != ":"):
            raise _bad(32)  # bad IPv6 literal in URL
        for ch in host:
            if ch not in "0123456789abcdefABCDEF:.":
                raise _bad(32)  # bad IPv6 literal in URL
    else:
        k = auth.find(":")
        host = auth if k < 0 else auth[:k]
        rest = "" if k < 0 else auth[k:]
        if "[" in host or "]" in host:
            raise _bad(33)  # bad host in URL
    if not host:
        raise _bad(34)  # empty host in URL
    if len(rest) > 1:  # 'host:' alone means the default port (RFC 3986 §3.2.3)
        p = rest[1:]
        if len(p) > 5:
            raise _bad(35)  # bad port in URL
        for ch in p:
            if ch < "0" or ch > "9":
                raise _bad(35)  # bad port in URL
        port = int(p)
        if port > 65535:
            raise _bad(35)  # bad port in URL
    k = url.find("#", b)
    t = url[b:] if k < 0 else url[b:k]
    if not t or t[0] == "?":
        t = "/" + t
    return (scheme, host.lower(), port, t, user)


def host_header(host, port, scheme):
    """Host header value: 'host', 'host:port' when not the scheme's default, '[v6]'."""
    if ":" in host:
        host = "[" + host + "]"
    if port != _PORTS.get(scheme):
        return "%s:%d" % (host, port)
    return host


def __getattr__(name):
    # quote, urlencode, join (redirects), add_query live in urlx, loaded on first use:
    # a plain request needs only split and host_header. Bound here once found.
    from . import urlx
    v = getattr(urlx, name)
    globals()[name] = v
    return v
