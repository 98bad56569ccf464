# http.createHttpResponseCache on CPython through the shim: a small origin server started
# here counts every request it gets (so a cache hit is proven to make none) and answers with
# the caching headers a test asks for; httpbin under gunicorn for its /cache, /etag and
# /response-headers endpoints. Flash is a temporary dir (netstack._port.CACHE_DIR).
import email.utils
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

import netstack
from netstack import http, _port, _client, BusinessError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "peers"))

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def cfg(peers):
    return peers[1]


def hdate(offset=0):
    return email.utils.formatdate(time.time() + offset, usegmt=True)


class Origin(BaseHTTPRequestHandler):
    """GET/HEAD/POST /any/path?cc=&etag=&lm=&expires=&date=&age=&vary=&pad=&h304=&loc=&k=
    cc: Cache-Control; etag/lm: validators (If-None-Match / If-Modified-Since equal to
    them -> 304); lm, expires, date: seconds from now (e.g. -864000) made into HTTP-dates,
    or a literal when not a number; h304: sent as X-Version (the 304 too); loc: a 302 to it;
    k: these parameters are updated from server.state[k] (the resource changes).
    Body: JSON {"n": requests to this path and query so far, "pad": "x" * pad}."""
    protocol_version = "HTTP/1.1"
    server_version = "origin"

    def _answer(self):
        srv = self.server
        q = dict(parse_qsl(urlsplit(self.path).query))
        q.update(srv.state.get(q.get("k"), {}))
        hs = {k.lower(): v for k, v in self.headers.items()}
        if self.command == "POST":
            self.rfile.read(int(hs.get("content-length", "0")))
        with srv.lock:
            srv.log.append((self.command, self.path, hs))
            srv.counts[self.path] = n = srv.counts.get(self.path, 0) + 1

        def when(k):
            v = q[k]
            try:
                return hdate(int(v))
            except ValueError:
                return v

        fields = [("Date", when("date") if "date" in q else hdate())]
        for k, name in (("cc", "Cache-Control"), ("etag", "ETag"), ("age", "Age"),
                        ("vary", "Vary"), ("h304", "X-Version")):
            if k in q:
                fields.append((name, q[k]))
        for k, name in (("lm", "Last-Modified"), ("expires", "Expires")):
            if k in q:
                fields.append((name, when(k)))
        if "loc" in q:
            self.send_response_only(302)
            for f in fields + [("Location", q["loc"]), ("Content-Length", "0")]:
                self.send_header(*f)
            self.end_headers()
            return
        if self.command == "GET" and (
                ("etag" in q and hs.get("if-none-match") == q["etag"]) or
                ("lm" in q and hs.get("if-modified-since") == dict(fields).get("Last-Modified"))):
            self.send_response_only(304)
            for f in fields:
                self.send_header(*f)
            self.end_headers()
            return
        body = json.dumps({"n": n, "pad": "x" * int(q.get("pad", 0))}).encode()
        self.send_response_only(200)
        for f in fields + [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]:
            self.send_header(*f)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin_server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    srv.daemon_threads = True
    srv.lock = threading.Lock()
    srv.log, srv.counts, srv.state = [], {}, {}
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def origin(origin_server):
    origin_server.log.clear()
    origin_server.counts.clear()
    origin_server.state.clear()
    origin_server.url = "http://127.0.0.1:%d" % origin_server.server_address[1]
    return origin_server


@pytest.fixture
def cdir(tmp_path, monkeypatch):
    """A fresh flash dir and no running cache, before and after."""
    d = str(tmp_path / "cache")
    monkeypatch.setattr(_port, "CACHE_DIR", d)
    _client.cache = None
    yield d
    if _client.cache is not None:
        netstack.run(_client.cache.delete())
    _client.cache = None


def get(url, opts=None, req=None):
    return netstack.run((req or http.createHttp()).request(url, opts or {}))


def reset():
    """What a reset does to the running cache: it is gone, its flushed files stay."""
    _client.cache = None


def files(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


# --- freshness: answered without a request --------------------------------------------

def test_fresh_hit_makes_no_request(origin, cdir):
    c = http.createHttpResponseCache()
    u = origin.url + "/a?cc=max-age%3D60"
    seen = []
    req = http.createHttp()
    req.on("headersReceive", seen.append)
    req.on("headerReceive", lambda err, h: seen.append(err))
    r1 = get(u, {"expectDataType": http.HttpDataType.OBJECT}, req)
    r2 = get(u, {"expectDataType": http.HttpDataType.OBJECT}, req)
    r3 = get(u)  # typed by its own request: a string
    assert origin.counts == {"/a?cc=max-age%3D60": 1}
    assert r1.result == r2.result == {"n": 1, "pad": ""} and r2.resultType == 1
    assert r3.result == '{"n": 1, "pad": ""}' and r3.resultType == 0
    assert r2.responseCode == 200 and "age" not in r1.header and int(r2.header["age"]) <= 1
    assert r2.header["content-type"] == "application/json"
    assert seen == [None, r1.header, None, r2.header]  # header events for a hit too
    assert r2.performanceTiming.totalTiming == 0 and r2.cookies == ""
    assert len(c.items) == 1


def test_httpbin_cache_max_age(cfg, cdir):
    http.createHttpResponseCache()
    r1 = get(cfg["httpbin"] + "/cache/60")
    r2 = get(cfg["httpbin"] + "/cache/60")
    assert "age" not in r1.header and "age" in r2.header and r1.result == r2.result
    r1 = get(cfg["httpbin"] + "/cache/0")  # max-age=0 and no validator: never stored
    r2 = get(cfg["httpbin"] + "/cache/0")
    assert "age" not in r2.header and len(_client.cache.items) == 1


def test_expires_date_age(origin, cdir):
    http.createHttpResponseCache()
    cases = (("expires=60", True),                # Expires - Date = 60 s
             ("expires=-3000&date=-3600", False),  # lifetime 600 s, 3600 s old
             ("expires=3660&date=3600", True),    # the server's clock is 1 h ahead: 60 s
             ("expires=-10", False),
             ("expires=0x", False),               # invalid Expires: already expired
             ("cc=max-age%3D60&expires=-10", True),  # max-age wins over Expires
             ("cc=max-age%3D60&age=100", False),  # a cache upstream already held it 100 s
             ("cc=max-age%3D60&age=30", True),
             ("cc=s-maxage%3D60", False),         # for shared caches only; we are private
             ("cc=private%2C%20max-age%3D60", True),
             ("cc=max-age%3Dfoo", False))
    for q, fresh in cases:
        u = origin.url + "/e?" + q
        get(u)
        get(u)
        assert origin.counts[urlsplit(u).path + "?" + q] == (1 if fresh else 2), q
    r = get(origin.url + "/e?cc=max-age%3D60&age=30")  # the stored Age is replaced by ours
    assert 30 <= int(r.header["age"]) <= 32


def test_heuristic_freshness(origin, cdir):
    http.createHttpResponseCache()
    u = origin.url + "/h?lm=-864000"  # modified 10 days ago: fresh for 1 day (10%)
    get(u)
    assert "age" in get(u).header and origin.counts["/h?lm=-864000"] == 1
    u = origin.url + "/h?lm=-5"  # modified 5 s ago: 0 s, revalidated each time
    get(u)
    r = get(u)
    assert origin.counts["/h?lm=-5"] == 2 and r.responseCode == 200


# --- revalidation -------------------------------------------------------------------------

def test_revalidation_etag_304_serves_stored_body_updates_head(origin, cdir):
    http.createHttpResponseCache()
    u = origin.url + "/v?cc=no-cache&etag=%22e1%22&h304=1"
    seen = []
    req = http.createHttp()
    req.on("headersReceive", seen.append)
    r1 = get(u, None, req)
    r2 = get(u, {"expectDataType": http.HttpDataType.OBJECT}, req)
    assert [m for m, p, h in origin.log] == ["GET", "GET"]
    assert "if-none-match" not in origin.log[0][2]
    assert origin.log[1][2]["if-none-match"] == '"e1"'
    assert r2.responseCode == 200 and r2.result == {"n": 1, "pad": ""}  # body of the 200
    assert r2.header["content-type"] == "application/json" and r2.header["etag"] == '"e1"'
    assert seen == [r1.header, r2.header]  # the 304's head is not emitted
    # the stored head took the 304's fields: its Date, and X-Version sent again by it
    assert r2.header["x-version"] == "1" and "age" in r2.header
    assert r1.header["date"] <= r2.header["date"]


def test_revalidation_last_modified(origin, cdir):
    http.createHttpResponseCache()
    u = origin.url + "/lm?cc=max-age%3D0&lm=Sun%2C%2006%20Nov%201994%2008%3A49%3A37%20GMT"
    get(u)
    r = get(u)
    assert origin.log[1][2]["if-modified-since"] == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert "if-none-match" not in origin.log[1][2]
    assert r.responseCode == 200 and json.loads(r.result)["n"] == 1


def test_revalidation_changed_resource_replaces_entry(origin, cdir):
    http.createHttpResponseCache()
    u = origin.url + "/chg?cc=no-cache&etag=v1&k=chg"
    get(u)
    origin.state["chg"] = {"etag": "v2"}  # the resource changed: If-None-Match v1 -> 200
    r = get(u)
    assert json.loads(r.result)["n"] == 2 and "age" not in r.header and r.header["etag"] == "v2"
    r = get(u)
    assert origin.log[-1][2]["if-none-match"] == "v2"
    assert json.loads(r.result)["n"] == 2 and "age" in r.header


def test_httpbin_revalidation(cfg, cdir):
    http.createHttpResponseCache()
    for path in ("/etag/abc", "/cache"):  # ETag; Last-Modified and ETag: 304 when asked
        r1 = get(cfg["httpbin"] + path)
        r2 = get(cfg["httpbin"] + path)
        assert r2.responseCode == 200 and r2.result == r1.result and "age" in r2.header, path


def test_request_directives(origin, cdir):
    http.createHttpResponseCache()
    u = origin.url + "/d?cc=max-age%3D60&etag=x"
    get(u)
    for h in ({"Cache-Control": "no-cache"}, {"Pragma": "no-cache"},
              {"Cache-Control": "max-age=0"}):
        r = get(u, {"header": h})  # fresh, but the caller wants it revalidated
        assert origin.log[-1][2].get("if-none-match") == "x", h
        assert r.responseCode == 200 and "age" in r.header
    n = len(origin.log)
    r = get(u, {"header": {"Cache-Control": "no-store"}})  # not from the cache, not stored
    assert len(origin.log) == n + 1 and "if-none-match" not in origin.log[-1][2]
    assert "age" not in r.header
    r = get(u, {"header": {"If-None-Match": "x"}})  # the caller's own condition: passed on
    assert r.responseCode == 304 and len(origin.log) == n + 2
    get(u, {"resumeFrom": 2})  # a range request: not from the cache
    assert len(origin.log) == n + 3 and origin.log[-1][2]["range"] == "bytes=2-"
    r = get(u, {"header": {"Cache-Control": "min-fresh=3600"}})  # fresh for < 1 h more
    assert len(origin.log) == n + 4 and "age" in r.header


def test_max_stale_must_revalidate_only_if_cached(origin, cdir):
    http.createHttpResponseCache()
    for cc, stale_ok in (("max-age%3D0", True), ("max-age%3D0%2C%20must-revalidate", False)):
        u = origin.url + "/ms?etag=s&cc=" + cc
        get(u)
        n = len(origin.log)
        r = get(u, {"header": {"Cache-Control": "max-stale"}})
        assert len(origin.log) == (n if stale_ok else n + 1) and "age" in r.header, cc
        n = len(origin.log)
        r = get(u, {"header": {"Cache-Control": "only-if-cached"}})  # any stored response
        assert len(origin.log) == n and "age" in r.header, cc


def test_clock_went_back_means_stale(origin, cdir, monkeypatch):
    from netstack import _cache
    http.createHttpResponseCache()
    u = origin.url + "/clk?cc=max-age%3D600&etag=c"
    get(u)
    monkeypatch.setattr(_port, "EPOCH", _port.EPOCH - 86400)  # a board reset to 2000
    r = get(u)
    assert len(origin.log) == 2 and origin.log[1][2]["if-none-match"] == "c"
    assert r.responseCode == 200


# --- what is not stored, what bypasses the cache ------------------------------------

def test_no_store_not_stored_and_drops_older_entry(origin, cdir):
    c = http.createHttpResponseCache()
    u = origin.url + "/ns?cc=no-store"
    get(u)
    assert "age" not in get(u).header and origin.counts["/ns?cc=no-store"] == 2
    assert not c.items
    u = origin.url + "/ns2?cc=no-cache&etag=a&k=ns2"
    get(u)
    assert len(c.items) == 1
    origin.state["ns2"] = {"cc": "no-store", "etag": "b"}  # the new answer says: do not keep
    get(u)
    assert not c.items


def test_httpbin_no_store(cfg, cdir):
    http.createHttpResponseCache()
    u = cfg["httpbin"] + "/response-headers?Cache-Control=no-store"
    get(u)
    assert "age" not in get(u).header and not _client.cache.items


def test_using_cache_false_and_stream_bypass(origin, cdir):
    c = http.createHttpResponseCache()
    u = origin.url + "/b?cc=max-age%3D60"
    r = get(u, {"usingCache": False})
    assert not c.items  # not stored either
    get(u)
    r = get(u, {"usingCache": False})
    assert "age" not in r.header and origin.counts["/b?cc=max-age%3D60"] == 3
    assert netstack.run(http.createHttp().requestInStream(u)) == 200
    assert origin.counts["/b?cc=max-age%3D60"] == 4
    assert "age" in get(u).header and origin.counts["/b?cc=max-age%3D60"] == 4


def test_post_not_cached_and_invalidates(origin, cdir):
    c = http.createHttpResponseCache()
    u = origin.url + "/p?cc=max-age%3D60"
    for _ in range(2):
        get(u, {"method": "POST", "extraData": "a"})
    assert origin.counts[u[len(origin.url):]] == 2 and not c.items
    get(u)
    get(u, {"method": "HEAD"})
    assert "age" in get(u, {"method": "HEAD"}).header and len(c.items) == 2
    get(u, {"method": "POST", "extraData": "a"})  # changes the resource: GET and HEAD go
    assert not c.items
    r = get(u)
    assert "age" not in r.header and json.loads(r.result)["n"] == 6


def test_vary_and_redirects_not_stored(origin, cdir):
    c = http.createHttpResponseCache()
    for q in ("/vs?cc=max-age%3D60&vary=*", "/rd?loc=/a%3Fcc%3Dmax-age%253D60"):
        get(origin.url + q)
        get(origin.url + q)
        assert origin.counts[q] == 2, q
    assert not c.items
    get(origin.url + "/vk?cc=max-age%3D60&vary=Accept")  # the request headers are in the key
    assert "age" in get(origin.url + "/vk?cc=max-age%3D60&vary=Accept").header


def test_request_headers_are_part_of_the_key(origin, cdir):
    http.createHttpResponseCache()
    u = origin.url + "/k?cc=max-age%3D60"
    get(u, {"header": {"Accept": "text/plain"}})
    assert "age" not in get(u, {"header": {"Accept": "application/json"}}).header
    assert "age" in get(u, {"header": {"Accept": "text/plain"}}).header
    assert "age" in get(u, {"header": {"Accept": "text/plain", "Cache-Control": "max-age=60"}}).header


# --- bounds ---------------------------------------------------------------------------

def test_cache_size_bound_evicts_least_recently_used(origin, cdir):
    c = http.createHttpResponseCache(2500)
    u = origin.url + "/big?cc=max-age%3D60&pad=800&i="
    for i, hit in (("1", 0), ("2", 0), ("1", 1), ("3", 0), ("1", 1), ("2", 0), ("3", 0)):
        r = get(u + i)
        assert ("age" in r.header) == bool(hit), i
        assert c.used <= 2500 and len(c.items) <= 2
    get(origin.url + "/huge?cc=max-age%3D60&pad=3000")  # bigger than the cache: not kept
    assert c.used <= 2500 and len(c.items) == 2


def test_create_arguments(cdir):
    c = http.createHttpResponseCache("big")  # not a number: the default, as OpenHarmony
    assert c.cap == 10 * 1024 * 1024
    assert http.createHttpResponseCache(100) is c and c.cap == 10 * 1024 * 1024  # reused
    reset()
    assert http.createHttpResponseCache(50 * 1024 * 1024).cap == 10 * 1024 * 1024
    reset()
    assert http.createHttpResponseCache(-1).cap == 10 * 1024 * 1024
    reset()
    assert http.createHttpResponseCache(0).cap == 0


# --- flash ----------------------------------------------------------------------------

def test_flush_then_a_new_cache_loads_it(origin, cdir):
    c = http.createHttpResponseCache()
    fresh = origin.url + "/f1?cc=max-age%3D600"
    stale = origin.url + "/f2?cc=no-cache&etag=t&h304=1"
    get(fresh)
    get(stale)
    get(origin.url + "/f3?cc=no-store")
    assert files(cdir) == []  # RAM only until flush()
    netstack.run(c.flush())
    assert files(cdir) == sorted(c.items) and len(c.items) == 2
    stamp = {n: os.stat(os.path.join(cdir, n)).st_mtime_ns for n in files(cdir)}
    netstack.run(c.flush())  # nothing changed: nothing rewritten
    assert stamp == {n: os.stat(os.path.join(cdir, n)).st_mtime_ns for n in files(cdir)}
    reset()
    c = http.createHttpResponseCache()
    assert len(c.items) == 2
    n = len(origin.log)
    r = get(fresh)
    assert len(origin.log) == n and json.loads(r.result)["n"] == 1 and "age" in r.header
    r = get(stale)  # revalidated with the stored ETag
    assert len(origin.log) == n + 1 and origin.log[-1][2]["if-none-match"] == "t"
    assert json.loads(r.result)["n"] == 1 and r.header["x-version"] == "1"


def test_flush_then_another_process_loads_it(origin, cdir):
    c = http.createHttpResponseCache()
    u = origin.url + "/proc?cc=max-age%3D600"
    first = get(u).result
    netstack.run(c.flush())
    script = ("import sys, json; sys.path[:0] = %r\n"
              "import netstack; from netstack import http, _port\n"
              "_port.CACHE_DIR = %r\n"
              "http.createHttpResponseCache()\n"
              "r = netstack.run(http.createHttp().request(%r))\n"
              "print(json.dumps([r.result, r.header.get('age')]))\n"
              % ([os.path.join(ROOT, "ports", "cpython"), os.path.join(ROOT, "lib")], cdir, u))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    result, age = json.loads(out.stdout.splitlines()[-1])
    assert result == first and age is not None and origin.counts["/proc?cc=max-age%3D600"] == 1


def test_damaged_files_are_ignored_and_removed(origin, cdir):
    c = http.createHttpResponseCache()
    urls = [origin.url + "/dmg?cc=max-age%3D600&i=" + str(i) for i in range(5)]
    for u in urls:
        get(u)
    netstack.run(c.flush())
    names = files(cdir)
    assert len(names) == 5
    p = [os.path.join(cdir, n) for n in names]
    with open(p[0], "rb") as f:
        data = f.read()
    with open(p[0], "wb") as f:  # cut inside the body
        f.write(data[:-3])
    with open(p[1], "wb") as f:  # cut inside the head line
        f.write(data[:20])
    with open(p[2], "wb") as f:  # garbage
        f.write(os.urandom(64))
    with open(p[3], "wb") as f:  # valid JSON, wrong shape
        f.write(b'["ns1", "u", 0, 0, [["only-a-name"]], 0]\n')
    with open(p[4] + ".tmp", "wb") as f:  # a flush cut before its rename
        f.write(data[:10])
    with open(os.path.join(cdir, "README"), "w") as f:  # not ours: left alone
        f.write("x")
    reset()
    c = http.createHttpResponseCache()
    assert list(c.items) == [names[4]]
    assert files(cdir) == sorted([names[4], "README"])
    n = len(origin.log)
    for u in urls:
        get(u)
    assert len(origin.log) == n + 4


def test_delete_empties_ram_and_flash_and_stops(origin, cdir):
    c = http.createHttpResponseCache()
    u = origin.url + "/del?cc=max-age%3D600"
    get(u)
    netstack.run(c.flush())
    assert len(files(cdir)) == 1
    assert netstack.run(c.delete()) is None
    assert not c.items and not os.path.exists(cdir) and _client.cache is None
    get(u)
    get(u)
    assert origin.counts["/del?cc=max-age%3D600"] == 3  # stopped: usingCache has no effect
    netstack.run(c.flush())  # flushing a deleted cache does nothing
    assert not os.path.exists(cdir)
    c = http.createHttpResponseCache()
    assert not c.items


def test_callback_style(origin, cdir):
    c = http.createHttpResponseCache()
    get(origin.url + "/cb?cc=max-age%3D600")
    done = []
    assert c.flush(lambda err, data: done.append(("flush", err, data))) is None
    netstack.run()
    assert done == [("flush", None, None)] and len(files(cdir)) == 1
    c.delete(lambda err, data: done.append(("delete", err, data)))
    netstack.run()
    assert done[1] == ("delete", None, None) and files(cdir) == []


def test_flush_error(origin, cdir):
    with open(cdir, "w") as f:  # a file where the dir should be
        f.write("x")
    c = http.createHttpResponseCache()
    get(origin.url + "/err?cc=max-age%3D600")
    with pytest.raises(BusinessError) as ei:
        netstack.run(c.flush())
    assert ei.value.code == 2300999 and cdir in ei.value.message
    done = []
    c.flush(lambda err, data: done.append(err))
    netstack.run()
    assert done[0].code == 2300999
    os.remove(cdir)


def test_import_http_does_not_load_the_cache():
    script = ("import sys; sys.path[:0] = %r\n"
              "import netstack.http\n"
              "assert 'netstack._cache' not in sys.modules\n"
              % [os.path.join(ROOT, "ports", "cpython"), os.path.join(ROOT, "lib")])
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr


def test_http_dates():
    from netstack._cache import _date
    t = 784111777
    assert _date("Sun, 06 Nov 1994 08:49:37 GMT") == t          # IMF-fixdate
    assert _date("Sunday, 06-Nov-94 08:49:37 GMT") == t         # RFC 850
    assert _date("Sun Nov  6 08:49:37 1994") == t               # asctime
    assert _date("Sat, 29 Feb 2020 23:59:59 GMT") == 1583020799
    for bad in (None, "", "0", "-1", "Sun, 06 Nov 1994", "Sun, 06 Foo 1994 08:49:37 GMT",
                "Sun, 06 Nov 1994 08:49 GMT", "Sun, 06 Nov 1994 08:xx:37 GMT"):
        assert _date(bad) is None, bad


def test_cache_hit_obeys_max_limit(origin, cdir):
    http.createHttpResponseCache()
    u = origin.url + "/lim?cc=max-age%3D60&pad=5000"
    assert len(get(u).result) > 5000
    r = http.createHttp()
    with pytest.raises(BusinessError) as e:
        netstack.run(r.request(u, {"maxLimit": 100}))
    assert e.value.code == 2300023  # as from the network


def test_http_dates_with_unicode_digits():
    from netstack._cache import _date
    assert _date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777
    for bad in ("Sun, \u00b2\u00b9 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 19\u0669\u0664 08:49:37 GMT"):
        assert _date(bad) is None, bad


def test_damaged_length_is_removed_and_the_rest_loads(origin, cdir):
    c = http.createHttpResponseCache()
    urls = [origin.url + "/len?cc=max-age%3D600&i=" + str(i) for i in range(2)]
    for u in urls:
        get(u)
    netstack.run(c.flush())
    names = files(cdir)
    p = os.path.join(cdir, names[0])
    with open(p, "rb") as f:
        line = f.readline()
        body = f.read()
    m = json.loads(line)
    m[5] = 10 ** 15  # a length no heap can hold
    with open(p, "wb") as f:
        f.write(json.dumps(m).encode() + b"\n" + body)
    reset()
    c = http.createHttpResponseCache()
    assert list(c.items) == [names[1]] and files(cdir) == [names[1]]


def test_default_cache_dir(monkeypatch):
    # unix port: the user's cache dir (never "/cache" at the root of a workstation)
    from netstack import _cache
    monkeypatch.setenv("XDG_CACHE_HOME", "/x/cache")
    assert _port.default_cache_dir() == "/x/cache/netstack"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/home/u")
    assert _port.default_cache_dir() == "/home/u/.cache/netstack"
    monkeypatch.setattr(sys, "platform", "rp2")
    assert _port.default_cache_dir() == "/cache"
