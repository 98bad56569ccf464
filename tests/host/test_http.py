# @ohos.net.http on CPython through the shim, against real peers on 127.0.0.1:
# httpbin under gunicorn (plain and TLS), the hostile server, the proxies.
import json
import os
import sys
import tempfile
import socket
import time

import pytest

import netstack
from netstack import http, BusinessError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "peers"))


@pytest.fixture(scope="module")
def cfg(peers):
    return peers[1]


def get(url, opts=None, req=None):
    return netstack.run((req or http.createHttp()).request(url, opts or {}))


def code_of(url, opts=None, req=None):
    with pytest.raises(BusinessError) as ei:
        get(url, opts, req)
    return ei.value.code


# --- basics against httpbin ----------------------------------------------------------

def test_get_string_result_and_headers(cfg):
    seen = []
    req = http.createHttp()
    req.on("headersReceive", lambda h: seen.append(h))
    r = get(cfg["httpbin"] + "/get?a=1", {"header": {"X-Test": 5}}, req)
    assert r.responseCode == 200 and r.resultType == http.HttpDataType.STRING
    body = json.loads(r.result)  # application/json stays a string without expectDataType
    assert body["args"] == {"a": "1"} and body["headers"]["X-Test"] == "5"
    assert body["headers"]["Host"] == cfg["httpbin"].split("//")[1]  # port included
    assert r.header["content-type"] == "application/json" and seen[0] is r.header
    t = r.performanceTiming
    assert 0 <= t.tcpTiming <= t.firstReceiveTiming <= t.totalTiming


def test_header_receive_old_style_callback(cfg):
    seen = []
    req = http.createHttp()
    req.on("headerReceive", lambda err, h: seen.append((err, h["content-type"])))
    get(cfg["httpbin"] + "/get", None, req)
    assert seen == [(None, "application/json")]


def test_expect_object_and_array_buffer(cfg):
    r = get(cfg["httpbin"] + "/json", {"expectDataType": http.HttpDataType.OBJECT})
    assert r.resultType == 1 and "slideshow" in r.result
    r = get(cfg["httpbin"] + "/html", {"expectDataType": http.HttpDataType.OBJECT})
    assert r.resultType == 0 and r.result.startswith("<!DOCTYPE html>")  # falls back
    r = get(cfg["httpbin"] + "/bytes/300")  # application/octet-stream
    assert r.resultType == 2 and type(r.result) is bytearray and len(r.result) == 300
    r = get(cfg["httpbin"] + "/image/png")
    assert r.resultType == 2 and r.result[:4] == b"\x89PNG"


def test_post_object_string_bytes(cfg):
    r = get(cfg["httpbin"] + "/post", {"method": "POST", "extraData": {"k": "v"}, "expectDataType": 1})
    assert r.result["json"] == {"k": "v"} and r.result["headers"]["Content-Type"] == "application/json"
    r = get(cfg["httpbin"] + "/post", {"method": "POST", "extraData": "a=1&b=2", "expectDataType": 1})
    assert r.result["form"] == {"a": "1", "b": "2"}
    r = get(cfg["httpbin"] + "/put", {"method": http.RequestMethod.PUT, "extraData": b"\x00\x01", "expectDataType": 1})
    assert r.result["data"] == "\x00\x01" and r.result["headers"]["Content-Type"] == "application/octet-stream"
    r = get(cfg["httpbin"] + "/patch", {"method": "PATCH", "extraData": {"p": 1}, "header": {}, "expectDataType": 1})
    assert r.result["json"] == {"p": 1}


def test_custom_method(cfg):
    r = get(cfg["hostile"] + "/echo", {"method": "PROPFIND", "expectDataType": 1})
    assert r.result["method"] == "PROPFIND"


def test_get_extra_data_rules(cfg):
    r = get(cfg["httpbin"] + "/get?x=0", {"extraData": {"a": "1 2", "n": 5, "e": "", "u": "é&="}, "expectDataType": 1})
    assert r.result["args"] == {"x": "0", "a": "1 2", "u": "é&="}  # non-string and empty dropped
    assert r.result["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    r = get(cfg["httpbin"] + "/get", {"extraData": "q=raw", "expectDataType": 1})
    assert r.result["args"] == {"q": "raw"}


def test_bad_arguments_are_401(cfg):
    req = http.createHttp()
    for args in [(123,), (cfg["httpbin"], "x")]:
        with pytest.raises(BusinessError) as ei:
            netstack.run(req.request(*args))
        assert ei.value.code == 401
    assert code_of(cfg["httpbin"] + "/post", {"method": "POST", "extraData": ""}) == 401
    get(cfg["httpbin"] + "/post", {"method": "POST", "extraData": None})  # None is fine


def test_callback_form(cfg):
    got = []
    http.createHttp().request(cfg["httpbin"] + "/status/404", lambda e, r: got.append((e, r.responseCode)))
    http.createHttp().request("http://127.0.0.1:%d/" % cfg["closed_port"], {}, lambda e, r: got.append((e.code, r)))
    netstack.run()
    assert sorted(got, key=str) == sorted([(None, 404), (2300007, None)], key=str)


def test_performance_timing_fields(cfg):
    # worked out on read from the marks the engine took
    t = get(cfg["hostile"] + "/ok", {"method": "HEAD"}).performanceTiming
    assert t.totalTiming == t.totalFinishTiming == t.responseBodyTiming >= t.responseHeaderTiming
    assert t.tlsTiming == 0 and t.redirectTiming == 0
    assert "dnsTiming=" in repr(t) and "totalTiming=" in repr(t)
    with pytest.raises(AttributeError):
        t.noSuchTiming
    t = get(cfg["hostile"] + "/delay?ms=120").performanceTiming
    assert t.responseBodyTiming >= t.responseHeaderTiming >= 100 and t.totalTiming == t.responseBodyTiming


def test_redirect_timing(cfg):
    # redirectTiming: the time spent on the redirect steps before the final hop started
    r = get(cfg["hostile"] + "/redirect?ms=250&to=/ok")
    t = r.performanceTiming
    assert r.responseCode == 200 and r.result == "hello"
    assert 200 <= t.redirectTiming <= t.totalTiming, (t.redirectTiming, t.totalTiming)
    assert get(cfg["hostile"] + "/ok").performanceTiming.redirectTiming == 0


def test_redirects(cfg):
    seen = []
    req = http.createHttp()
    req.on("headersReceive", lambda h: seen.append(h))
    r = get(cfg["httpbin"] + "/redirect/3", None, req)
    assert r.responseCode == 200 and len(seen) == 4  # one head per hop
    r = get(cfg["httpbin"] + "/absolute-redirect/2")
    assert r.responseCode == 200
    r = get(cfg["hostile"] + "/redirect-rel/3")
    assert r.result == "hello"
    assert code_of(cfg["hostile"] + "/redirect-loop") == 2300047
    assert code_of(cfg["httpbin"] + "/redirect/3", {"maxRedirects": 2}) == 2300047
    r = get(cfg["httpbin"] + "/redirect/1", {"maxRedirects": 0})
    assert r.responseCode == 302


@pytest.mark.parametrize("code,sent,method", [
    (303, "POST", "GET"), (303, "PUT", "GET"), (303, "DELETE", "GET"), (302, "POST", "GET"),
    (301, "POST", "GET"), (302, "PUT", "PUT"), (307, "POST", "POST"), (307, "DELETE", "DELETE"),
    (308, "POST", "POST"), (308, "PUT", "PUT")])
def test_redirect_method_rules(cfg, code, sent, method):
    # 303 turns every method into GET without the body; 301/302 only POST; 307/308 none
    target = cfg["hostile"] + "/echo"
    r = get(cfg["hostile"] + "/redirect?code=%d&to=%s" % (code, target),
            {"method": sent, "extraData": "body!", "expectDataType": 1})
    assert r.result["method"] == method
    assert r.result["body"] == ("body!" if method == sent else "")


def test_max_limit_is_capped_at_100_mib(cfg):
    # a larger maxLimit is taken as 100 MiB: a body of 100 MiB + 1 is refused from its
    # Content-Length before any of it is read
    assert code_of(cfg["hostile"] + "/big?n=104857601", {"maxLimit": 1 << 30}) == 2300023
    assert code_of(cfg["hostile"] + "/big?n=104857601", {"maxLimit": 104857601}) == 2300023


def test_max_limit_boundary_with_content_length(cfg):
    r = get(cfg["hostile"] + "/big?n=5000", {"maxLimit": 5000, "expectDataType": 2})
    assert r.responseCode == 200 and len(r.result) == 5000
    assert code_of(cfg["hostile"] + "/big?n=5000", {"maxLimit": 4999}) == 2300023


@pytest.mark.parametrize("ext", ["nul", "cr"])
def test_nul_or_cr_in_chunk_extension_is_refused(cfg, ext):
    assert code_of(cfg["hostile"] + "/chunked?ext=" + ext) == 2300061


def test_gzip_and_deflate_when_asked(cfg):
    ae = {"Accept-Encoding": "gzip, deflate"}
    r = get(cfg["httpbin"] + "/gzip", {"expectDataType": 1, "header": ae})
    assert r.result["gzipped"] is True
    r = get(cfg["httpbin"] + "/deflate", {"expectDataType": 1, "header": ae})
    assert r.result["deflated"] is True
    r = get(cfg["hostile"] + "/gzip", {"expectDataType": 1, "header": ae})
    assert isinstance(r.result, dict)
    r = get(cfg["hostile"] + "/echo", {"expectDataType": 1})
    assert not any(h.lower().startswith("accept-encoding") for h in r.result["headers"])


def test_cookies(cfg):
    r = get(cfg["hostile"] + "/set-cookies")
    assert isinstance(r.header["set-cookie"], list) and len(r.header["set-cookie"]) >= 2
    assert r.cookies.count("\t") >= 12
    req = http.createHttp()
    req.enableAutoCookie(True)
    get(cfg["httpbin"] + "/cookies/set?flavour=choc", {"maxRedirects": 0}, req)
    r = get(cfg["httpbin"] + "/cookies", {"expectDataType": 1}, req)
    assert r.result["cookies"] == {"flavour": "choc"}
    r = get(cfg["httpbin"] + "/cookies", {"expectDataType": 1})
    assert r.result["cookies"] == {}


def test_auth(cfg):
    cred = {"credential": {"username": "u", "password": "p"}}
    assert get(cfg["httpbin"] + "/basic-auth/u/p", {"serverAuthentication": cred}).responseCode == 200
    assert get(cfg["httpbin"] + "/digest-auth/auth/u/p", {"serverAuthentication": cred}).responseCode == 200
    assert get(cfg["httpbin"] + "/basic-auth/u/p").responseCode == 401
    bad = {"credential": {"username": "u", "password": "wrong"}}
    assert get(cfg["httpbin"] + "/basic-auth/u/p", {"serverAuthentication": bad}).responseCode == 401


def test_range_options(cfg):
    r = get(cfg["hostile"] + "/echo", {"resumeFrom": 10, "resumeTo": 20, "expectDataType": 1})
    assert "range: bytes=10-20" in [h.lower() for h in r.result["headers"]]
    r = get(cfg["hostile"] + "/echo", {"resumeTo": 20, "expectDataType": 1})
    assert "range: bytes=-20" in [h.lower() for h in r.result["headers"]]
    r = get(cfg["hostile"] + "/echo", {"resumeFrom": 30, "resumeTo": 20, "expectDataType": 1})
    assert not any(h.lower().startswith("range") for h in r.result["headers"])
    assert code_of(cfg["hostile"] + "/echo", {"method": "PUT", "extraData": "x", "resumeFrom": 1}) == 2300999


def test_multipart(cfg):
    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as f:
        f.write(b"file body")
    r = get(cfg["httpbin"] + "/post", {"method": "POST", "expectDataType": 1, "multiFormDataList": [
        {"name": "field", "contentType": "text/plain", "data": "value"},
        {"name": "up", "contentType": "text/plain", "filePath": f.name, "remoteFileName": "a.txt"}]})
    os.unlink(f.name)
    assert r.result["form"] == {"field": "value"} and r.result["files"] == {"up": "file body"}


def test_send_progress(cfg):
    seen = []
    req = http.createHttp()
    req.on("dataSendProgress", lambda p: seen.append(p))
    get(cfg["httpbin"] + "/post", {"method": "POST", "extraData": "x" * 5000}, req)
    assert seen[-1] == {"sendSize": 5000, "totalSize": 5000}


# --- keep-alive --------------------------------------------------------------------------

def test_connection_reuse(cfg):
    req = http.createHttp()
    counts = [int(get(cfg["hostile"] + "/conn", None, req).result) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert int(get(cfg["hostile"] + "/conn").result) == 1  # another HttpRequest: new connection
    req.destroy()
    assert code_of(cfg["hostile"] + "/conn", None, req) == 2300023


def test_client_connections_without_nagle(cfg):
    # http's and webSocket's dials set TCP_NODELAY: with Nagle, a TLS handshake's flight
    # (mbedTLS writes it record by record) waited for the server's delayed ACK, 40 ms more
    # per new https connection on Linux
    req = http.createHttp()
    for url, opts in ((cfg["hostile"] + "/conn", None), (cfg["httpbins"] + "/get", {"caData": cfg["ca_pem"]})):
        assert get(url, opts, req).responseCode == 200
        raw = req._pool.conn.s.s
        assert raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), url
    req.destroy()


def test_connection_close_among_other_tokens(cfg):
    # "Connection: close, foo" closes (a comma-separated token list, not one value)
    H = cfg["hostile"]
    for v, after in (("close, foo", 1), ("foo,  CLOSE", 1), ("keep-alive, foo", 2)):
        req = http.createHttp()
        assert get(H + "/conn-token?v=" + v.replace(" ", "%20"), None, req).result == "token"
        assert int(get(H + "/conn", None, req).result) == after, v
        req.destroy()


# --- framing --------------------------------------------------------------------------

@pytest.mark.parametrize("path,body", [
    ("/chunked?ext=1&trailers=1", None), ("/close-delimited", None), ("/http10", None),
    ("/interim", None), ("/ok", "hello"), ("/bare-lf", None), ("/both-cl-te", None)])
def test_framings(cfg, path, body):
    r = get(cfg["hostile"] + path)
    assert r.responseCode == 200
    if body is not None:
        assert r.result == body


@pytest.mark.parametrize("path,code", [("/nobody/204", 204), ("/nobody/304", 304)])
def test_no_body_statuses(cfg, path, code):
    req = http.createHttp()
    r = get(cfg["hostile"] + path, None, req)
    assert r.responseCode == code and r.result == ""
    assert get(cfg["hostile"] + "/ok", None, req).result == "hello"  # connection still in sync


def test_head_has_no_body(cfg):
    req = http.createHttp()
    r = get(cfg["hostile"] + "/big?n=100000", {"method": "HEAD"}, req)
    assert r.result == "" and r.header["content-length"] == "100000"
    assert get(cfg["hostile"] + "/ok", None, req).result == "hello"


def test_max_limit(cfg):
    assert code_of(cfg["hostile"] + "/big?n=6000000") == 2300023  # default 5 MiB
    assert code_of(cfg["hostile"] + "/bigchunked?n=20000", {"maxLimit": 10000}) == 2300023
    r = get(cfg["hostile"] + "/big?n=6000000", {"maxLimit": 7000000, "expectDataType": 2})
    assert len(r.result) == 6000000


# --- hostile server --------------------------------------------------------------------

@pytest.mark.parametrize("path,code", [
    ("/bad-status", 2300008), ("/bad-version", 2300008), ("/status-only", 2300008),
    ("/endless-headers", 2300008), ("/huge-header", 2300008), ("/many-headers?n=10000", 2300008),
    ("/bad-chunk", 2300061), ("/overflow-chunk", 2300061), ("/bad-te", 2300061),
    ("/lying-length", 2300018), ("/short-chunked", 2300018),
    ("/dup-cl", 2300008), ("/negative-cl", 2300008), ("/nul-in-header", 2300008), ("/obs-fold", 2300008),
    ("/no-response", 2300052), ("/reset-mid-body", 2300056),
    ("/lying-length-hang", 2300028), ("/silence", 2300028), ("/drip?ms=20", 2300028),
])
def test_hostile(cfg, path, code):
    assert code_of(cfg["hostile"] + path, {"readTimeout": 1500}) == code


def test_decompression_bomb_is_bounded(cfg):
    assert code_of(cfg["hostile"] + "/gzip-bomb", {"header": {"Accept-Encoding": "gzip"}}) == 2300023


def test_connect_errors(cfg):
    assert code_of("http://127.0.0.1:%d/" % cfg["closed_port"]) == 2300007
    assert code_of("foo://127.0.0.1/") == 2300001
    assert code_of("http:///nohost") == 2300003
    assert code_of("not a url") == 2300003


def test_read_timeout_zero_means_none(cfg):
    r = get(cfg["httpbin"] + "/delay/1", {"readTimeout": 0})
    assert r.responseCode == 200


# --- TLS ------------------------------------------------------------------------------

def test_https_verifies_against_ca(cfg):
    r = get(cfg["httpbins"] + "/get", {"caData": cfg["ca_pem"]})
    assert r.responseCode == 200
    r = get(cfg["httpbins"] + "/get", {"caPath": cfg["ca_der_path"]})
    assert r.responseCode == 200
    assert code_of(cfg["httpbins"] + "/get") == 2300077  # no CA on this port by default
    assert code_of(cfg["httpbins"] + "/get", {"caData": cfg["other_ca_pem"]}) == 2300060
    assert code_of(cfg["https_wronghost"] + "/ok", {"caData": cfg["ca_pem"]}) == 2300060
    assert code_of(cfg["httpbins"] + "/get", {"caPath": "/nonexistent/ca.pem"}) == 2300077
    r = get(cfg["https_wronghost"] + "/ok", {"remoteValidation": "skip"})
    assert r.result == "hello"


def test_tls_setup_failure_leaks_nothing(cfg):
    # a CA that cannot be read fails before the connection takes a receive buffer (the TLS
    # context is made first, transport.tls.new): the engine's spare stays where it was; a
    # failure after the buffer was taken (a refused connect) gives it back to the spare
    from netstack import _client
    from netstack.proto import RecvBuf
    _client._spare = spare = RecvBuf(_client.BUF_SIZE)
    assert code_of(cfg["httpbins"] + "/get", {"caPath": "/nonexistent/ca.pem"}) == 2300077
    assert _client._spare is spare
    _client._spare = None
    assert code_of("http://127.0.0.1:%d/" % cfg["closed_port"]) == 2300007
    assert _client._spare is not None and len(_client._spare.buf) == _client.BUF_SIZE


def test_no_4k_block_falls_back_to_a_1k_buffer(cfg, monkeypatch):
    # a tight heap with no 4 KB block: the connection gets a 1 KB receive buffer instead of
    # failing with 2300027; a head bigger than it grows it (up to maxHeadSize), and the
    # small buffer is not kept as the engine's spare
    from netstack import _client
    from netstack.proto import RecvBuf
    sizes = []

    def tight(size=4096):
        sizes.append(size)
        if size >= _client.BUF_SIZE:
            raise MemoryError
        return RecvBuf(size)

    monkeypatch.setattr(_client, "_spare", None)
    monkeypatch.setattr(_client, "RecvBuf", tight)
    req = http.createHttp()
    try:
        assert get(cfg["hostile"] + "/ok", None, req).result == "hello"
        r = get(cfg["hostile"] + "/huge-header?kb=6", None, req)
        assert r.result == "hello" and len(r.header["x-huge"]) == 6144
    finally:
        req.destroy()
    assert sizes[:2] == [_client.BUF_SIZE, 1024], sizes
    assert _client._spare is None


def test_head_buffer_that_cannot_grow(cfg, monkeypatch):
    # a head bigger than the receive buffer on a heap with no block for a bigger one: a head
    # over maxHeadSize is still 2300008 (the engine reads on to tell), one within it 2300027
    from netstack.proto import RecvBuf

    def no_room(rb, size):
        raise MemoryError

    monkeypatch.setattr(RecvBuf, "grow", no_room)
    H = cfg["hostile"]
    req = http.createHttp()
    try:
        with pytest.raises(BusinessError) as ei:
            get(H + "/huge-header?kb=20", None, req)
        assert (ei.value.code, ei.value.message) == (2300008, "response head larger than 8192 bytes")
        with pytest.raises(BusinessError) as ei:
            get(H + "/huge-header?kb=6", None, req)
        assert ei.value.code == 2300027, ei.value
        monkeypatch.undo()
        assert get(H + "/huge-header?kb=6", None, req).result == "hello"
    finally:
        req.destroy()


def test_https_keepalive_and_client_cert(cfg, tmp_path):
    req = http.createHttp()
    for _ in range(2):
        assert get(cfg["httpbins"] + "/get", {"caData": cfg["ca_pem"]}, req).responseCode == 200
    cc = {"certPath": cfg["client_cert_pem_path"], "keyPath": cfg["client_key_pem_path"]}
    r = get(cfg["https_mtls"] + "/", {"caData": cfg["ca_pem"], "clientCert": cc})
    assert r.result == "mtls ok"
    with pytest.raises(BusinessError):
        get(cfg["https_mtls"] + "/", {"caData": cfg["ca_pem"]})
    # a client certificate or key that cannot be read or is not PEM/DER: 2300058 at the call
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n")
    for bad in ({"certPath": str(tmp_path / "missing.pem"), "keyPath": cc["keyPath"]},
                {"certPath": cc["certPath"], "keyPath": str(junk)}):
        with pytest.raises(BusinessError) as ei:
            http.createHttp().request(cfg["https_mtls"] + "/", {"caData": cfg["ca_pem"], "clientCert": bad})
        assert ei.value.code == 2300058, ei.value


# --- proxy ----------------------------------------------------------------------------

def _stats(cfg, name):
    r = get("http://proxy.stats/", {"usingProxy": _px(cfg, name), "expectDataType": 1})
    return r.result


def _px(cfg, name, **kw):
    h, p = cfg[name].split(":")
    return dict(host=h, port=int(p), **kw)


def test_proxy_http_and_connect(cfg):
    before = _stats(cfg, "proxy")
    r = get(cfg["httpbin"] + "/get", {"usingProxy": _px(cfg, "proxy")})
    assert r.responseCode == 200
    r = get(cfg["httpbins"] + "/get", {"usingProxy": _px(cfg, "proxy"), "caData": cfg["ca_pem"]})
    assert r.responseCode == 200
    after = _stats(cfg, "proxy")
    assert after != before


def test_proxy_auth(cfg):
    creds = dict(username=cfg["proxy_user"], password=cfg["proxy_password"])
    r = get(cfg["httpbin"] + "/get", {"usingProxy": _px(cfg, "proxy_auth", **creds)})
    assert r.responseCode == 200
    r = get(cfg["httpbin"] + "/get", {"usingProxy": _px(cfg, "proxy_auth")})
    assert r.responseCode == 407
    assert code_of(cfg["httpbins"] + "/get", {"usingProxy": _px(cfg, "proxy_auth"), "caData": cfg["ca_pem"]}) == 2300007


# --- streaming ------------------------------------------------------------------------

def test_request_in_stream_order(cfg):
    req = http.createHttp()
    ev = []
    req.on("headersReceive", lambda h: ev.append("head"))
    req.on("dataReceive", lambda b: ev.append(len(b)))
    req.on("dataReceiveProgress", lambda p: ev.append(("p", p["receiveSize"], p["totalSize"])))
    req.on("dataEnd", lambda: ev.append("end"))
    code = netstack.run(req.requestInStream(cfg["hostile"] + "/big?n=300000"))
    assert code == 200 and ev[0] == "head" and ev[-1] == "end"
    assert sum(e for e in ev if isinstance(e, int)) == 300000
    assert ("p", 300000, 300000) in ev
    ev.clear()
    code = netstack.run(req.requestInStream(cfg["hostile"] + "/bigchunked?n=100000"))
    assert sum(e for e in ev if isinstance(e, int)) == 100000
    assert not any(isinstance(e, tuple) for e in ev)  # no progress without a known total


@pytest.mark.parametrize("path,total", [("/chunked-cut?step=%d" % s, 999) for s in (1, 2, 5, 64, 2000)]
                         + [("/chunked-cut?step=400&ms=0&extra=6000", 999),
                            ("/bigchunked?n=300000&chunk=4097", 300000),
                            ("/bigchunked?n=20000&chunk=1", 20000)])
def test_request_in_stream_chunked_bytes(cfg, path, total):
    # every byte in order (byte i is i % 256) wherever the reads cut the framing: the
    # engine parses chunk framing inside the piece it read into (_clientx._in_place)
    got = []
    req = http.createHttp()
    req.on("dataReceive", lambda b: got.append(bytes(b)))
    assert netstack.run(req.requestInStream(cfg["hostile"] + path)) == 200
    body = b"".join(got)
    assert body == (bytes(range(256)) * (total // 256 + 1))[:total]
    # the next request on it (a new connection after junk past the body)
    del got[:]
    assert netstack.run(req.requestInStream(cfg["hostile"] + "/chunked-cut?step=2000&ms=0")) == 200
    assert b"".join(got) == bytes(range(256)) * 3 + bytes(range(231))
    req.destroy()


def test_destroy_mid_stream(cfg):
    req = http.createHttp()
    ev = []

    def on_data(b):
        ev.append(len(b))
        req.destroy()
    req.on("dataReceive", on_data)
    req.on("dataEnd", lambda: ev.append("end"))
    with pytest.raises(BusinessError) as ei:
        netstack.run(req.requestInStream(cfg["hostile"] + "/big?n=5000000"))
    assert ei.value.code == 2300023 and "end" not in ev


def test_connect_timeout_is_2300028():
    # A listener whose accept queue is full drops new SYNs: a real connect that hangs.
    import socket
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    port = lst.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            fillers.append(s)
        assert code_of("http://127.0.0.1:%d/" % port, {"connectTimeout": 300, "readTimeout": 5000}) == 2300028
    finally:
        for s in fillers:
            s.close()
        lst.close()


# --- found in review: streamed bytes, destroy from data listeners, limits, name caches -----

def test_stream_delivers_bytes_already_received_without_waiting(cfg):
    # the 100 bytes that came with the head go to dataReceive at once, not after the pause
    req = http.createHttp()
    t0 = time.monotonic()
    seen = []
    req.on("dataReceive", lambda d: seen.append((len(d), time.monotonic() - t0)))
    assert netstack.run(req.requestInStream(cfg["hostile"] + "/pause-body?ms=1500")) == 200
    assert sum(n for n, t in seen) == 200
    assert seen[0][0] == 100 and seen[0][1] < 1.0, seen


@pytest.mark.parametrize("event", ["dataReceive", "dataReceiveProgress"])
def test_destroy_from_a_data_listener_ends_the_request(cfg, event):
    req = http.createHttp()
    req.on(event, lambda *a: req.destroy())
    t0 = time.monotonic()
    with pytest.raises(BusinessError) as e:
        netstack.run(req.requestInStream(cfg["hostile"] + "/pause-body?ms=3000", {"readTimeout": 5000}))
    assert e.value.code == 2300023 and time.monotonic() - t0 < 2.0


def test_destroy_from_a_send_progress_listener_ends_the_request(cfg):
    req = http.createHttp()
    req.on("dataSendProgress", lambda p: req.destroy())
    with pytest.raises(BusinessError) as e:
        netstack.run(req.request(cfg["hostile"] + "/echo", {"method": "POST", "extraData": "x" * 100}))
    assert e.value.code == 2300023


def test_close_delimited_body_of_exactly_max_limit(cfg):
    u = cfg["hostile"] + "/close-delimited"
    n = len(get(u).result.encode())
    r = get(u, {"maxLimit": n})
    assert r.responseCode == 200 and len(r.result.encode()) == n
    assert code_of(u, {"maxLimit": n - 1}) == 2300023


def test_header_name_caches_stay_small():
    from netstack.proto import http1
    from netstack.proto import RecvBuf
    for i in range(40):  # names a hostile server makes up, some long
        rb = RecvBuf(4096)
        rb.feed(b"HTTP/1.1 200 OK\r\nX-%d-%s: v\r\n\r\n" % (i, b"n" * (200 if i % 2 else 5)))
        assert http1.parse_response_head(rb)[3][0][1] == "v"
    assert len(http1._KNOWN) <= 32 and all(len(k) <= 32 for k in http1._KNOWN)
    http1.request_head("GET", "/", [("x-" + "y" * 100, "1")])
    assert all(len(k) <= 32 for k in http1._NAMES)


def test_out_of_memory_anywhere_in_a_request_is_2300027(cfg, monkeypatch):
    # typing the result, or arming the watchdog: BusinessError 2300027, never a bare
    # MemoryError, and no task left behind for a later destroy() to cancel
    from netstack import _aw

    def boom(*a):
        raise MemoryError

    req = http.createHttp()
    from netstack import _http
    monkeypatch.setattr(_http, "type_result", boom)
    assert code_of(cfg["hostile"] + "/ok", None) == 2300027
    monkeypatch.undo()
    monkeypatch.setattr(_aw, "watch", boom)
    with pytest.raises(BusinessError) as e:
        netstack.run(req.request(cfg["hostile"] + "/ok"))
    assert e.value.code == 2300027 and req._running == []


# --- netstack.debug --------------------------------------------------------------------

def test_debug_lines(cfg, capsys):
    H = cfg["hostile"]
    netstack.debug(True)
    try:
        req = http.createHttp()
        assert get(H + "/redirect?to=/ok", None, req).result == "hello"
        assert get(H + "/ok", None, req).result == "hello"
        req.destroy()
    finally:
        netstack.debug(False)
    out = [l for l in capsys.readouterr().out.splitlines() if l.startswith("netstack:")]
    text = "\n".join(out)
    port = H.rsplit(":", 1)[1]
    for want in ("netstack: resolve 127.0.0.1", "netstack: connect ('127.0.0.1', %s, 4)" % port,
                 "netstack: GET %s/redirect?to=/ok" % H, "netstack: status 302",
                 "netstack: redirect 302 %s/ok" % H, "netstack: GET %s/ok reuse" % H,
                 "netstack: status 200 OK (reused)"):
        assert want in text, (want, text)
    assert get(H + "/ok").result == "hello"
    assert not [l for l in capsys.readouterr().out.splitlines() if l.startswith("netstack:")]
