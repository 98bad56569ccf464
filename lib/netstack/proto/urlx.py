# The less used URL helpers (see url.py, which forwards to them): percent-encoding, query
# merging and redirect resolution (RFC 3986 §5.2, dot segments included).
from . import ProtoError  # kinds (proto/__init__.py) as numbers here: 5 USAGE, 6 URL


def _bad(n):  # a message number (proto/msgs.py)
    return ProtoError(6, n, 400)

_HEX = b"0123456789ABCDEF"


def quote(s, safe=""):
    """Percent-encode (UTF-8) all but A-Za-z0-9-._~ and the chars in safe."""
    if isinstance(s, str):
        s = s.encode()
    elif not isinstance(s, (bytes, bytearray)):
        raise ProtoError(5, 36)  # quote() needs str or bytes
    out = bytearray()
    for c in s:
        if (
            48 <= c <= 57
            or 65 <= (c & 0xDF) <= 90
            or c in b"-._~"
            or (c < 128 and chr(c) in safe)
        ):
            out.append(c)
        else:
            out.append(37)
            out.append(_HEX[c >> 4])
            out.append(_HEX[c & 15])
    return out.decode()


def _s(v):
    return v if isinstance(v, (str, bytes, bytearray)) else str(v)


def urlencode(pairs):
    """'k=v&k2=v2' from (k, v) pairs or a dict; both sides quoted, non-str values str()'d."""
    if isinstance(pairs, dict):
        pairs = pairs.items()
    return "&".join([quote(_s(k)) + "=" + quote(_s(v)) for k, v in pairs])


def _cut(s, ch):
    # (s before ch, ch and what follows), or (s, "")
    k = s.find(ch)
    return (s, "") if k < 0 else (s[:k], s[k:])


def _has_scheme(u):
    # 'scheme:' per RFC 3986 §3.1 before any '/', '?' or '#'
    k = u.find(":")
    if k <= 0 or not "a" <= u[0].lower() <= "z":
        return False
    for ch in u[:k]:
        if not ("a" <= ch.lower() <= "z" or "0" <= ch <= "9" or ch in "+-."):
            return False
    return True


def _dots(p):
    # RFC 3986 §5.2.4 remove_dot_segments on the path part of an absolute path (+query)
    p, q = _cut(p, "?")
    if "/." not in p:
        return p + q
    segs = p.split("/")
    out = []
    last = len(segs) - 1
    for i in range(1, last + 1):
        s = segs[i]
        if s == "..":
            if out:
                out.pop()
        elif s != ".":
            out.append(s)
            continue
        if i == last:
            out.append("")
    return "/" + "/".join(out) + q


def join(base_url, location):
    """Resolve a redirect Location against base_url; fragments are dropped."""
    if not isinstance(base_url, str) or not isinstance(location, str):
        raise _bad(28)  # URL must be a str
    loc = _cut(location.strip(), "#")[0]
    if _has_scheme(loc):
        return loc
    base = _cut(base_url, "#")[0]
    i = base.find("://")
    if i <= 0:
        raise _bad(30)  # missing '://' in URL
    if loc[:2] == "//":
        return base[: i + 1] + loc
    n = len(base)
    b = i + 3
    while b < n and base[b] not in "/?":
        b += 1
    if not loc:
        return base
    origin = base[:b]
    if loc[0] == "/":
        return origin + _dots(loc)
    k = base.find("?", b)
    path = base[b:] if k < 0 else base[b:k]
    if loc[0] == "?":
        return origin + (path or "/") + loc
    k = path.rfind("/")
    return origin + _dots(path[: k + 1] + loc if k >= 0 else "/" + loc)


def add_query(url, query):
    """Append query with '&' when url has a '?', else '?'. A fragment stays at the end,
    after the query, never before it."""
    if query and query[0] in "?&":
        query = query[1:]
    if not query:
        return url
    url, frag = _cut(url, "#")
    if "?" not in url:
        sep = "?"
    elif url[-1] in "?&":
        sep = ""
    else:
        sep = "&"
    return url + sep + query + frag
