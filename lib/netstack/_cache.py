# HttpResponseCache (http.createHttpResponseCache): a private HTTP cache (RFC 9111) for
# GET/HEAD responses. Entries live in RAM, bounded by cacheSize (least recently used goes
# first); flush() writes them to flash, one file per entry, written under a temporary name
# and renamed; createHttpResponseCache() in a later run loads them. Imported only by
# createHttpResponseCache(). What is and is not done, and why: docs/http.md.
import os
import time
import json
import hashlib
import binascii
from ._err import BusinessError
from . import _aw, _client, _port
from .proto.http1 import header

from micropython import const

MAX_SIZE = const(10485760)  # default and largest cacheSize (OpenHarmony: 10 MB)
HEURISTIC_MAX = 86400       # cap of heuristic freshness (10% of the Last-Modified age)
_E_INTERNAL = const(2300999)
# An entry: [headers [(name, value)], body bytes, request time, response time (Unix s),
# url hash, last use, dirty (not flushed yet), size]. Its file: one JSON line
# ["ns1", url hash, request time, response time, headers, body length], then the body.
_H = const(0)
_B = const(1)
_REQ = const(2)
_RESP = const(3)
_URL = const(4)
_USE = const(5)
_DIRTY = const(6)
_SIZE = const(7)
_BYPASS = ("range", "if-none-match", "if-modified-since", "if-match", "if-unmodified-since",
           "if-range")
_NOKEY = ("cache-control", "pragma")
_NOMERGE = ("content-length", "transfer-encoding", "connection", "keep-alive")
_MON = "janfebmaraprmayjunjulaugsepoctnovdec"


def _hx(s):
    return binascii.hexlify(hashlib.sha256(s.encode()).digest()[:8]).decode()


def _int(s):
    try:
        return int(s)
    except (ValueError, TypeError):
        return 0


def _date(s):
    """HTTP-date in any of RFC 9110's three forms -> Unix seconds, or None."""
    try:
        return _date_of(s)
    except ValueError:  # e.g. a digit int() does not take (CPython's isdigit is Unicode)
        return None


def _date_of(s):
    d = m = y = t = None
    for w in (s or "").replace(",", " ").replace("-", " ").split():
        if ":" in w:
            t = w.split(":")
        elif w.isdigit() and len(w.encode()) == len(w):  # ASCII digits only
            if d is None and len(w) < 3:
                d = int(w)
            else:
                y = int(w)
        elif _MON.find(w[:3].lower()) % 3 == 0 and len(w) > 2:
            m = _MON.find(w[:3].lower()) // 3 + 1
    if d is None or m is None or y is None or t is None or len(t) != 3:
        return None
    y += 2000 if y < 70 else 1900 if y < 100 else 0
    y -= m < 3  # days from the civil date (H. Hinnant's algorithm)
    e = y // 400
    y -= e * 400
    d += e * 146097 + y * 365 + y // 4 - y // 100 + (153 * (m + (9 if m < 3 else -3)) + 2) // 5
    try:
        return (d - 719469) * 86400 + int(t[0]) * 3600 + int(t[1]) * 60 + int(t[2])
    except ValueError:
        return None


def _cc(headers):
    """Cache-Control directives -> {name: value or ''}."""
    d = {}
    for n, v in headers:
        if n == "cache-control":
            for p in v.split(","):
                p = p.split("=", 1)
                k = p[0].strip().lower()
                if k:
                    d[k] = p[1].strip().strip('"') if len(p) > 1 else ""
    return d


def _life(h, cc, resp):
    """Freshness lifetime in seconds (RFC 9111 §4.2.1; s-maxage is for shared caches)."""
    if "max-age" in cc:
        return _int(cc["max-age"])
    date = _date(header(h, "date")) or resp
    if header(h, "expires") is not None:
        t = _date(header(h, "expires"))
        return t - date if t else 0  # an invalid Expires means already expired
    t = _date(header(h, "last-modified"))
    return min((date - t) // 10, HEURISTIC_MAX) if t else 0


def _size(h, b):
    """RAM an entry takes, roughly (object headers as on a 64-bit port)."""
    n = len(b) + 128
    for k, v in h:
        n += len(k) + len(v) + 48
    return n


def _rm(p):
    try:
        os.remove(p)
    except OSError:
        pass


class HttpResponseCache:
    """createHttpResponseCache()'s object, and the cache itself: one per program."""

    def __init__(self, size, d):
        self.cap = size
        self.dir = d.rstrip("/")  # '' is the root
        self.items = {}           # file name (hash of the request) -> entry
        self.used = self.tick = 0
        self.on = True
        got = []  # what a flush() left, oldest response first so the newest stay in bounds
        for n in self._names():
            p = self.dir + "/" + n
            try:
                size = os.stat(p)[6]
                with open(p, "rb") as f:
                    line = f.readline()
                    m = json.loads(line)
                    if not 0 <= m[5] <= size - len(line):  # a damaged length: never allocate it
                        raise ValueError
                    b = f.read(m[5])
                    if len(n) != 16 or m[0] != "ns1" or len(b) != m[5] or f.read(1):
                        raise ValueError
                got.append((int(m[3]), n, [[(str(k), str(v)) for k, v in m[4]], b, int(m[2]),
                                           int(m[3]), str(m[1]), 0, False, 0]))
            except MemoryError:  # no room for this one now: leave it on flash, go on
                continue
            except Exception:  # damaged (power cut, corruption) or a temporary file
                _rm(p)
        got.sort(key=lambda g: g[0])
        for g in got:
            self._put(g[1], g[2])

    def flush(self, callback=None):
        return _aw.call(self._io(False), callback, _E_INTERNAL)

    def delete(self, callback=None):
        return _aw.call(self._io(True), callback, _E_INTERNAL)

    async def perform(self, x, pool):
        """http.HttpRequest._request's exchange while the cache runs (not streaming,
        usingCache not false): _client.perform, or the answer from the cache."""
        m = x.method
        if m != "GET" and m != "HEAD":
            r = await _client.perform(x, pool)
            if r[0] < 400:  # an unsafe method changed the resource (RFC 9111 §4.4)
                u = _hx(x.url)
                for k in list(self.items):
                    if self.items[k][_URL] == u:
                        self._drop(k)
            return r
        hs = x.headers
        req = _cc(hs)
        if not req and "no-cache" in (header(hs, "pragma") or ""):
            req["no-cache"] = ""
        key = []
        for p in hs:
            if p[0] in _BYPASS:  # the caller's own conditional or partial request
                req["no-store"] = ""
            elif p[0] not in _NOKEY:
                key.append(p)
        if "no-store" in req:
            return await _client.perform(x, pool)
        key.sort()
        k = _hx("%s %s %r %r %r %r" % (m, x.url, key, x.auth, x.verify, x.pins))
        e = self.items.get(k)
        now = int(time.time()) + _port.EPOCH
        if e is not None:
            age, fresh = self._fresh(e, req, now)
            if fresh or "only-if-cached" in req:  # only-if-cached: any stored response
                return self._serve(x, e, age)
            et, lm = header(e[_H], "etag"), header(e[_H], "last-modified")
            if et is None and lm is None:
                e = None  # stale and nothing to revalidate it with: fetched anew
            else:
                if et is not None:
                    hs.append(("if-none-match", et))
                if lm is not None:
                    hs.append(("if-modified-since", lm))
                x.revalidating = True  # a 304's head is not the response the caller gets
        r = await _client.perform(x, pool)
        t = int(time.time()) + _port.EPOCH
        if e is not None:
            x.revalidating = False
            if r[0] == 304:  # still valid: update the stored head, answer from the cache
                h = []
                for p in e[_H]:
                    if p[0] in _NOMERGE or header(r[2], p[0]) is None:
                        h.append(p)
                for p in r[2]:
                    if p[0] not in _NOMERGE:
                        h.append(p)
                e = [h, e[_B], now, t, e[_URL], 0, True, 0]
                self._drop(k)
                if self.on and "no-store" not in _cc(e[_H]):
                    self._put(k, e)
                return self._serve(x, e, self._fresh(e, req, t)[0])
        if r[0] != 200 or not self.on:
            return r
        self._drop(k)  # superseded, whether or not the new response is kept
        h = r[2]
        cc = _cc(h)
        v = (header(h, "vary") or "").lower()
        if x.redirects or "no-store" in cc or "*" in v or ("cookie" in v and x.cookies is not None):
            return r
        if _life(h, cc, t) <= 0 and header(h, "etag") is None and header(h, "last-modified") is None:
            return r  # never fresh and nothing to revalidate with: of no use
        b = r[3] or b""
        if self._room(_size(h, b)):  # before the copy: a body that does not fit is not copied
            try:
                self._put(k, [h, bytes(b), now, t, _hx(x.url), 0, True, 0])
            except MemoryError:
                pass
        return r

    def _fresh(self, e, req, now):
        """-> (current age (RFC 9111 §4.2.3), fresh?). Age None: the clock went back since
        the entry was stored (a board without a real-time clock after a reset): stale."""
        h, resp = e[_H], e[_RESP]
        if now < resp:
            return None, False
        date = _date(header(h, "date")) or resp
        age = max(resp - date, _int(header(h, "age")) + resp - e[_REQ], 0) + now - resp
        cc = _cc(h)
        if "no-cache" in cc or "no-cache" in req:
            return age, False
        life = _life(h, cc, resp)
        if "max-age" in req:
            life = min(life, _int(req["max-age"]))
        if "max-stale" in req and "must-revalidate" not in cc:
            life += _int(req["max-stale"]) if req["max-stale"] else 1 << 30
        return age, life > age + _int(req.get("min-fresh"))

    def _serve(self, x, e, age):
        if x.max_limit is not None and len(e[_B]) > x.max_limit:  # as from the network
            raise BusinessError(2300023, "body of %d bytes exceeds maxLimit %d"
                                % (len(e[_B]), x.max_limit))
        self.tick += 1
        e[_USE] = self.tick
        h = []
        for p in e[_H]:
            if p[0] != "age":
                h.append(p)
        if age is not None:
            h.append(("age", str(age)))
        if x.on_head is not None:
            x.on_head(200, h, len(e[_B]))
        return 200, "OK", h, e[_B]

    # --- LRU in RAM, bounded by cacheSize and by the heap -----------------------------

    def _drop(self, k):
        e = self.items.pop(k, None)
        if e is not None:
            self.used -= e[_SIZE]

    def _room(self, n):
        """Make room for n bytes, evicting least recently used entries. The cache keeps at
        most cacheSize bytes and, on MicroPython, at most half of the heap that is free or
        its own. False: n does not fit."""
        lim = self.cap
        f = _port.mem_free()
        if f is not None:  # CPython: no heap to guard
            if n + self.used > (f + self.used) >> 1:
                import gc
                gc.collect()
                f = _port.mem_free()
            lim = min(lim, (f + self.used) >> 1)
        if n > lim:
            return False
        while self.used + n > lim:
            self._drop(min(self.items, key=lambda k: self.items[k][_USE]))
        return True

    def _put(self, k, e):
        self._drop(k)
        e[_SIZE] = n = _size(e[_H], e[_B])
        if self._room(n):
            self.items[k] = e
            self.used += n
            self.tick += 1
            e[_USE] = self.tick

    # --- flash ---------------------------------------------------------------------

    def _names(self):
        """Our files in the cache dir: 16 hex digits, maybe with '.tmp'."""
        try:
            names = os.listdir(self.dir or "/")
        except OSError:
            return []
        out = []
        for n in names:
            try:
                if len(n) > 15 and n[16:] in ("", ".tmp") and int(n[:16], 16) >= 0:
                    out.append(n)
            except ValueError:
                pass
        return out

    async def _io(self, delete):
        d = self.dir
        if delete:
            if _client.cache is self:
                _client.cache = None  # stopped: usingCache has no effect until the next create
            self.on = False
            self.items = {}
            self.used = 0
            for n in self._names():
                _rm(d + "/" + n)
            try:
                os.rmdir(d)
            except OSError:
                pass
            return
        if not self.on:
            return
        try:
            p = ""
            for part in d.split("/"):  # make the dir and its parents
                p += part
                try:
                    os.mkdir(p)
                except OSError:
                    pass
                p += "/"
            for n, e in self.items.items():
                if e[_DIRTY]:
                    f = d + "/" + n
                    with open(f + ".tmp", "wb") as o:
                        o.write(json.dumps(["ns1", e[_URL], e[_REQ], e[_RESP], e[_H],
                                            len(e[_B])]).encode() + b"\n")
                        o.write(e[_B])
                    try:
                        os.rename(f + ".tmp", f)  # a cut leaves the old file or the new one
                    except OSError:  # a filesystem whose rename does not replace
                        _rm(f)
                        os.rename(f + ".tmp", f)
                    e[_DIRTY] = False
            for n in self._names():
                if n not in self.items:  # evicted, invalidated, or left by a cut
                    _rm(d + "/" + n)
        except OSError as e:
            raise BusinessError(_E_INTERNAL, "cannot write the cache to %s: %s" % (d or "/", e))


def create(size):
    """The running cache (hooked into the engine as _client.cache), made if none runs."""
    if _client.cache is None:  # as OpenHarmony: a running cache is reused, its size kept
        if not isinstance(size, int) or isinstance(size, bool) or size < 0 or size > MAX_SIZE:
            size = MAX_SIZE
        _client.cache = HttpResponseCache(size, _port.CACHE_DIR or _port.default_cache_dir())
    return _client.cache
