# Host tests for netstack.fetch (@system.fetch) on CPython, against the test peers.
import json
import os
import sys

import pytest

import netstack
from netstack import fetch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers"))


@pytest.fixture(scope="module")
def cfg(peers):
    return peers[1]


def run(**o):
    """fetch(o) with recording callbacks (unless given), run to the end -> events in order."""
    ev = []
    o.setdefault("success", lambda r: ev.append(("success", r)))
    o.setdefault("fail", lambda m, c: ev.append(("fail", m, c)))
    o.setdefault("complete", lambda: ev.append(("complete",)))
    assert fetch.fetch(o) is None
    netstack.run()
    assert ev and ev[-1] == ("complete",) and ev.count(("complete",)) == 1, ev
    return ev


def ok(**o):
    ev = run(**o)
    assert len(ev) == 2 and ev[0][0] == "success", ev
    r = ev[0][1]
    assert set(r) <= {"code", "data", "headers"}
    return r


def failed(code, **o):
    ev = run(**o)
    assert len(ev) == 2 and ev[0][0] == "fail", ev
    _, msg, got = ev[0]
    assert got == code, ev
    assert isinstance(msg, str) and msg
    return msg


def echo(cfg, **o):
    """Through hostile /echo: -> (request target, {lower-case name: [values]}, body)."""
    o["url"] = cfg["hostile"] + o.get("url", "/echo")
    d = json.loads(ok(**o)["data"])
    h = {}
    for line in d["headers"]:
        n, v = line.split(":", 1)
        h.setdefault(n.strip().lower(), []).append(v.strip())
    return d["target"], h, d["body"]


# --- success -------------------------------------------------------------------------

def test_success_200(cfg):
    r = ok(url=cfg["hostile"] + "/ok")
    assert r["code"] == 200 and r["data"] == "hello"
    assert r["headers"]["content-length"] == "5"
    assert r["headers"]["content-type"] == "text/plain"


def test_success_for_404_and_500(cfg):
    r = ok(url=cfg["httpbin"] + "/status/404")
    assert r["code"] == 404 and r["data"] == ""
    assert ok(url=cfg["httpbin"] + "/status/500")["code"] == 500


def test_header_names_lower_case_last_repeat_wins(cfg):
    r = ok(url=cfg["hostile"] + "/set-cookies")
    assert all(k == k.lower() for k in r["headers"])
    assert r["headers"]["set-cookie"] == "empty=; Path=/"


def test_head_has_empty_data(cfg):
    r = ok(url=cfg["hostile"] + "/ok?n=4000", method="HEAD")  # hostile: any HEAD, length n
    assert r["code"] == 200 and r["data"] == "" and r["headers"]["content-length"] == "4000"


@pytest.mark.parametrize("m", ["GET", "HEAD", "OPTIONS", "DELETE", "TRACE", "POST", "PUT"])
def test_every_method_goes_on_the_wire(cfg, m):
    if m == "HEAD":
        assert ok(url=cfg["hostile"] + "/echo", method=m)["code"] == 200
        return
    d = json.loads(ok(url=cfg["hostile"] + "/echo", method=m)["data"])
    assert d["method"] == m


def test_binary_body_is_bytes(cfg):
    r = ok(url=cfg["hostile"] + "/big?n=300")
    assert r["data"] == bytes(range(256)) + bytes(range(44))
    r = ok(url=cfg["httpbin"] + "/image/png")
    assert isinstance(r["data"], bytes) and r["data"][:4] == b"\x89PNG"


def test_no_compression_asked(cfg):
    t, h, b = echo(cfg)
    assert "accept-encoding" not in h
    r = ok(url=cfg["hostile"] + "/gzip", responseType="json")
    assert r["data"]["encoding"] == "identity"


# --- responseType --------------------------------------------------------------------

@pytest.mark.parametrize("rt", ["json", "JSON", "Json"])
def test_response_type_json(cfg, rt):
    r = ok(url=cfg["httpbin"] + "/json", responseType=rt)
    assert isinstance(r["data"], dict) and "slideshow" in r["data"]


def test_response_type_json_array(cfg):
    r = ok(url=cfg["httpbin"] + "/base64/WzEsMl0=", responseType="json")  # [1,2]
    assert r["data"] == [1, 2]


@pytest.mark.parametrize("path", ["/ok", "/big?n=10"])
def test_response_type_json_invalid_has_no_data(cfg, path):
    r = ok(url=cfg["hostile"] + path, responseType="json")
    assert r["code"] == 200 and "data" not in r


@pytest.mark.parametrize("b64", ["NQ==", "InMi", "bnVsbA=="])  # 5, "s", null
def test_response_type_json_scalar_has_no_data(cfg, b64):
    r = ok(url=cfg["httpbin"] + "/base64/" + b64, responseType="json")
    assert "data" not in r


@pytest.mark.parametrize("rt", ["text", "", None, 1])
def test_other_response_types_give_text(cfg, rt):
    r = ok(url=cfg["httpbin"] + "/json", responseType=rt)
    assert isinstance(r["data"], str) and json.loads(r["data"])


# --- data ----------------------------------------------------------------------------

def test_get_dict_data_form_encoded_sorted_and_merged(cfg):
    t, h, b = echo(cfg, url="/echo?z=0", data={"b": "x y&=", "a": 1, "c": "é"})
    assert t == "/echo?z=0&a=1&b=x%20y%26%3D&c=%C3%A9"
    assert "content-type" not in h and b == ""


def test_get_str_data_appended_verbatim(cfg):
    assert echo(cfg, url="/echo", data="q=1&r=%20")[0] == "/echo?q=1&r=%20"
    assert echo(cfg, url="/echo?a=1", data="?b=2")[0] == "/echo?a=1&b=2"
    assert echo(cfg, url="/echo#frag", data="b=2")[0] == "/echo?b=2"
    assert echo(cfg, url="/echo", data="")[0] == "/echo"
    assert echo(cfg, url="/echo", data={})[0] == "/echo"


def test_get_like_methods_use_query(cfg):
    r = ok(url=cfg["httpbin"] + "/delete", method="DELETE", data={"k": "v"}, responseType="json")
    assert r["data"]["args"] == {"k": "v"}


def test_get_str_data_with_space_is_bad_url(cfg):
    failed(2300003, url=cfg["hostile"] + "/echo", data="a b")


def test_post_dict_is_json(cfg):
    r = ok(url=cfg["httpbin"] + "/anything", method="POST", data={"k": "v", "n": [1, 2]},
           responseType="json")
    assert r["data"]["method"] == "POST" and r["data"]["json"] == {"k": "v", "n": [1, 2]}
    assert r["data"]["headers"]["Content-Type"] == "application/json"


def test_put_list_is_json(cfg):
    r = ok(url=cfg["httpbin"] + "/anything", method="PUT", data=[1, "a"], responseType="json")
    assert r["data"]["method"] == "PUT" and r["data"]["json"] == [1, "a"]


def test_post_str_is_raw_text_plain(cfg):
    r = ok(url=cfg["httpbin"] + "/anything", method="POST", data="a=1&b", responseType="json")
    assert r["data"]["data"] == "a=1&b" and r["data"]["form"] == {}
    assert r["data"]["headers"]["Content-Type"] == "text/plain"


def test_post_bytes_raw(cfg):
    t, h, b = echo(cfg, method="PUT", data=bytearray(b"\x00\xff"))
    assert b == "\x00\xff" and h["content-type"] == ["application/octet-stream"]
    assert h["content-length"] == ["2"]


def test_post_without_data_sends_empty_body(cfg):
    t, h, b = echo(cfg, method="POST")
    assert h["content-length"] == ["0"] and "content-type" not in h and b == ""


@pytest.mark.parametrize("method,data", [("GET", 5), ("GET", b"x"), ("GET", [1]), ("POST", 5),
                                         ("POST", 1.5)])
def test_bad_data_type_fails_401(cfg, method, data):
    failed(401, url=cfg["hostile"] + "/ok", method=method, data=data)


def test_post_unserializable_fails_401(cfg):
    failed(401, url=cfg["hostile"] + "/ok", method="POST", data={"a": object()})


# --- header --------------------------------------------------------------------------

def test_user_headers_override_defaults_case_insensitively(cfg):
    t, h, b = echo(cfg, method="POST", data="x",
                   header={"Content-Type": "text/x-mine", "USER-AGENT": "me", "Accept": "a/b",
                           "X-Num": 5})
    assert h["content-type"] == ["text/x-mine"]
    assert h["user-agent"] == ["me"] and h["accept"] == ["a/b"] and h["x-num"] == ["5"]


def test_default_headers(cfg):
    t, h, b = echo(cfg)
    assert h["user-agent"] == ["netstack-mpy/0.1"] and h["accept"] == ["*/*"]
    assert "content-type" not in h


def test_bad_header_option(cfg):
    failed(401, url=cfg["hostile"] + "/ok", header="x: y")
    failed(401, url=cfg["hostile"] + "/ok", header={"x": "a\r\nInjected: 1"})


# --- redirects, limits, timeouts -----------------------------------------------------

def test_redirects_followed(cfg):
    r = ok(url=cfg["hostile"] + "/redirect?code=301&to=/ok")
    assert r["code"] == 200 and r["data"] == "hello"
    r = ok(url=cfg["httpbin"] + "/redirect/3", responseType="json")
    assert r["code"] == 200 and r["data"]["url"].endswith("/get")
    assert ok(url=cfg["hostile"] + "/redirect-rel/3")["data"] == "hello"


def test_redirect_303_post_becomes_get(cfg):
    r = ok(url=cfg["hostile"] + "/redirect?code=303&to=/echo", method="POST", data="x")
    assert json.loads(r["data"])["method"] == "GET"


def test_redirect_loop_fails_2300047(cfg):
    failed(2300047, url=cfg["hostile"] + "/redirect-loop")


def test_body_over_5_mib_fails_2300023(cfg):
    failed(2300023, url=cfg["hostile"] + "/big?n=%d" % (5 * 1024 * 1024 + 1))
    failed(2300023, url=cfg["hostile"] + "/bigchunked?n=%d" % (5 * 1024 * 1024 + 1))


def test_body_of_5_mib_ok(cfg):
    r = ok(url=cfg["hostile"] + "/big?n=%d" % (5 * 1024 * 1024))
    assert len(r["data"]) == 5 * 1024 * 1024


def test_whole_transfer_timeout_2300028(cfg, monkeypatch):
    monkeypatch.setattr(fetch, "_TIMEOUT", 300)  # 60 s on a board; short here
    msg = failed(2300028, url=cfg["hostile"] + "/drip?ms=50")
    assert "300 ms" in msg


# --- failures ------------------------------------------------------------------------

def test_connection_refused(cfg):
    failed(2300007, url="http://127.0.0.1:%d/" % cfg["closed_port"])


def test_unresolvable_host():
    failed(2300006, url="http://no-such-host.invalid/")


@pytest.mark.parametrize("url,code", [("", 2300003), ("no-scheme", 2300003),
                                      ("http://", 2300003), ("http:///x", 2300003),
                                      ("http://h:99999/", 2300003), ("ftp://127.0.0.1/", 2300001)])
def test_bad_url(url, code):
    failed(code, url=url)


@pytest.mark.parametrize("m", ["PATCH", "get", "Post", "CONNECT", "", 5])
def test_unsupported_method_fails_401(cfg, m):
    msg = failed(401, url=cfg["hostile"] + "/ok", method=m)
    assert "unsupported method" in msg


@pytest.mark.parametrize("path,code", [("/lying-length", 2300018), ("/bad-status", 2300008),
                                       ("/no-response", 2300052), ("/short-chunked", 2300018),
                                       ("/bad-chunk", 2300061)])
def test_hostile_server(cfg, path, code):
    failed(code, url=cfg["hostile"] + path)


# --- TLS -----------------------------------------------------------------------------

def test_https_with_ca(cfg):
    r = ok(url=cfg["httpbins"] + "/get", caData=cfg["ca_pem"], responseType="json")
    assert r["code"] == 200 and r["data"]["url"].startswith("https://")


def test_https_ca_as_der_bytes(cfg):
    import base64
    r = ok(url=cfg["httpbins"] + "/status/204", caData=base64.b64decode(cfg["ca_der_b64"]))
    assert r["code"] == 204


def test_https_without_ca_fails_2300077(cfg):
    msg = failed(2300077, url=cfg["httpbins"] + "/get")
    assert "caData" in msg


def test_https_other_ca_fails_2300060(cfg):
    failed(2300060, url=cfg["httpbins"] + "/get", caData=cfg["other_ca_pem"])


def test_https_wrong_host_fails_2300060(cfg):
    failed(2300060, url=cfg["https_wronghost"] + "/ok", caData=cfg["ca_pem"])


def test_https_garbage_ca_fails_2300077(cfg):
    failed(2300077, url=cfg["httpbins"] + "/get", caData="not a certificate")
    failed(2300077, url=cfg["httpbins"] + "/get", caData="-----BEGIN CERTIFICATE-----\nAAAA")


# --- the callback contract -----------------------------------------------------------

@pytest.mark.parametrize("o", [None, "http://x/", ["url"], {}, {"url": None}, {"url": 5},
                               {"url": b"http://x/"}])
def test_no_url_no_callbacks(o, capsys):
    ev = []
    if isinstance(o, dict):
        o.update(success=ev.append, fail=lambda *a: ev.append(a), complete=lambda: ev.append(1))
    assert fetch.fetch(o) is None
    assert netstack.run() is None
    assert ev == []
    assert capsys.readouterr() == ("", "")


def test_raising_callbacks_are_reported_and_complete_runs(cfg, capsys):
    def boom(*a):
        raise ValueError("boom")

    ev = run(url=cfg["hostile"] + "/ok", success=boom)
    assert ev == [("complete",)]
    assert "exception in success callback" in capsys.readouterr().out
    ev = run(url="http://127.0.0.1:%d/" % cfg["closed_port"], fail=boom)
    assert ev == [("complete",)]
    assert "exception in fail callback" in capsys.readouterr().out
    assert fetch.fetch({"url": cfg["hostile"] + "/ok", "complete": boom}) is None
    netstack.run()
    assert "exception in complete callback" in capsys.readouterr().out


def test_missing_or_non_callable_callbacks(cfg):
    assert fetch.fetch({"url": cfg["hostile"] + "/ok"}) is None
    netstack.run()
    ev = run(url=cfg["hostile"] + "/ok", success="not callable", fail=None)
    assert ev == [("complete",)]


def test_runs_in_background_and_run_waits(cfg):
    ev = []
    fetch.fetch({"url": cfg["hostile"] + "/delay?ms=200", "complete": lambda: ev.append(1)})
    assert ev == []  # nothing happens before the loop runs
    netstack.run()
    assert ev == [1]


def test_concurrent_fetches(cfg):
    ev = []
    for i in range(4):
        # 300 ms between the delays: a loaded machine (load 9) reordered 50 ms steps
        fetch.fetch({"url": cfg["hostile"] + "/delay?ms=%d" % (1200 - 300 * i),
                     "success": lambda r, i=i: ev.append(i), "complete": lambda: ev.append("c")})
    netstack.run()
    assert sorted(x for x in ev if x != "c") == [0, 1, 2, 3] and ev.count("c") == 4
    assert ev[0] == 3  # the shortest delay finished first: they ran at the same time


def test_complete_can_start_another_fetch(cfg):
    ev = []

    def again():
        fetch.fetch({"url": cfg["hostile"] + "/ok", "success": lambda r: ev.append(r["code"])})

    fetch.fetch({"url": cfg["hostile"] + "/ok", "complete": again})
    netstack.run()
    assert ev == [200]


def test_options_read_when_called(cfg):
    ev = []
    o = {"url": cfg["hostile"] + "/echo", "data": {"a": "1"},
         "success": lambda r: ev.append(json.loads(r["data"])["target"])}
    fetch.fetch(o)
    o["data"]["a"] = "2"
    o["url"] = "http://127.0.0.1:1/"
    o["success"] = None
    netstack.run()
    assert ev == ["/echo?a=1"]


def test_works_inside_a_running_loop(cfg):
    ev = []

    async def main():
        fetch.fetch({"url": cfg["hostile"] + "/ok", "success": lambda r: ev.append(r["data"])})

    netstack.run(main())
    netstack.run()
    assert ev == ["hello"]


def test_does_not_import_http():
    import subprocess
    code = "import sys; from netstack import fetch; print('netstack.http' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.stdout.strip() == "False", out


def test_cancelled_task_still_reports_and_releases(cfg):
    import asyncio
    ev = []
    fetch.fetch({"url": cfg["hostile"] + "/delay?ms=3000", "success": ev.append,
                 "fail": lambda m, c: ev.append((m, c)), "complete": lambda: ev.append("c")})

    async def cancel_it():
        await asyncio.sleep(0.1)
        for t in asyncio.all_tasks():
            if t is not asyncio.current_task():
                t.cancel()

    netstack.run(cancel_it())
    netstack.run()  # returns: the cancelled fetch released its hold on the loop
    assert ev == [("cancelled", 2300999), "c"]


def test_user_host_header_replaces_default(cfg):
    t, h, b = echo(cfg, header={"Host": "example.com"})
    assert h["host"] == ["example.com"]
