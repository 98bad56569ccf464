# Cookies for http: parse Set-Cookie, keep a jar for enableAutoCookie(true), and render
# HttpResponse.cookies in the Netscape cookie-file format curl uses
# (domain, include-subdomains, path, secure, expiry, name, value; tab separated).
import time

MAX_COOKIES = 50  # jar bound: the oldest cookie goes first


def parse(sc, host, path):
    """One Set-Cookie value -> [domain, sub, path, secure, expires, name, value] or None."""
    parts = sc.split(";")
    nv = parts[0]
    if "=" not in nv:
        return None
    name, value = nv.split("=", 1)
    name = name.strip()
    if not name:
        return None
    c = [host, False, path[:path.rfind("/") + 1] or "/", False, 0, name, value.strip()]
    for a in parts[1:]:
        k, v = (a.split("=", 1) + [""])[:2]
        k = k.strip().lower()
        v = v.strip()
        if k == "domain" and v:
            d = v.lstrip(".").lower()
            if host != d and not host.endswith("." + d):
                return None  # a server may not set cookies for another domain
            c[0], c[1] = d, True
        elif k == "path" and v.startswith("/"):
            c[2] = v
        elif k == "secure":
            c[3] = True
        elif k == "max-age":
            try:
                n = int(v)
            except ValueError:
                continue
            c[4] = -1 if n <= 0 else int(time.time()) + n
    return c


def _target_path(target):
    q = target.find("?")
    return target if q < 0 else target[:q]


class CookieJar:
    def __init__(self):
        self.items = []

    def take(self, headers, host, target):
        path = _target_path(target)
        for n, v in headers:
            if n != "set-cookie":
                continue
            c = parse(v, host, path)
            if c is None:
                continue
            for i in range(len(self.items)):
                o = self.items[i]
                if o[0] == c[0] and o[2] == c[2] and o[5] == c[5]:
                    del self.items[i]
                    break
            if c[4] != -1:
                self.items.append(c)
                if len(self.items) > MAX_COOKIES:
                    del self.items[0]

    def header(self, host, target, secure):
        path = _target_path(target)
        now = int(time.time())
        out = []
        for c in self.items:
            if c[4] and c[4] < now:
                continue
            if not (host == c[0] or (c[1] and host.endswith("." + c[0]))):
                continue
            if not path.startswith(c[2]) or (c[3] and not secure):
                continue
            out.append(c[5] + "=" + c[6])
        return "; ".join(out)

    def netscape(self):
        return "\r\n".join(_line(c) for c in self.items)


def _line(c):
    return "\t".join((("." if c[1] else "") + c[0], "TRUE" if c[1] else "FALSE", c[2],
                      "TRUE" if c[3] else "FALSE", str(max(c[4], 0)), c[5], c[6]))


def netscape_from_headers(headers, url):
    from .proto import url as _url
    parts = _url.split(url)
    host, target = parts[1], parts[3]
    lines = []
    for n, v in headers:
        if n == "set-cookie":
            c = parse(v, host, _target_path(target))
            if c is not None and c[4] != -1:
                lines.append(_line(c))
    return "\r\n".join(lines)
