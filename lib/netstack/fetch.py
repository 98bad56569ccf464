# @system.fetch, OpenHarmony's small-system builtin: fetch(options) runs one request in
# the background, then calls success({code, data, headers}) or fail(message, code), then
# complete(). Trimmed on purpose: no request object, events, keep-alive or decoding.
# Where and why this differs from OpenHarmony's builtin: docs/fetch.md.
# The engine (_client, proto, transport, asyncio) loads with the first fetch() call, not
# with this module, through _err.load as http's does (collections while it loads, one
# after): `import netstack.fetch` costs this module only.
from ._err import BusinessError, load, report

_TIMEOUT = 60000  # ms for the whole exchange (= Exchange.read_timeout's default, which _client's
# connect watchdog counts on); _client bounds the connect by 60 s too


def fetch(options):
    if not isinstance(options, dict) or not isinstance(options.get("url"), str):
        return  # as OpenHarmony: no callbacks at all
    load("_client")
    from . import _aw, _port
    try:
        x = _exchange(options)
    except Exception as e:  # a bad option: reported through fail(), as the original does
        x = _error(e, 401)
    cbs = (options.get("success"), options.get("fail"), options.get("complete"))
    _aw.hold()
    try:
        _port.spawn(_run(x, cbs))
    except BaseException:
        _aw.release()
        raise


async def _run(x, cbs):
    from . import _aw, _client
    res = stop = None
    try:
        if isinstance(x, tuple):
            err = x
        else:
            # bounds the whole exchange (armed here: the engine then arms none of its own)
            dog = x.dog = _aw.watch(_TIMEOUT, x, "timed_out")
            try:
                res = _response(await _client.perform(x, None), x.rtype)
            except Exception as e:
                err = _error(e, 2300999)
            except BaseException as e:  # cancelled: tell the callbacks, then let it go on
                if x.timed_out:
                    e = BusinessError(2300028, "no complete response within %d ms" % _TIMEOUT)
                    err = (e.message, e.code)
                else:
                    err, stop = ("cancelled", 2300999), e
            finally:
                _aw.unwatch(dog, x, "timed_out")
        if res is not None:
            _call(cbs[0], "success", res)
        else:
            _call(cbs[1], "fail", *err)
        _call(cbs[2], "complete")
    finally:
        _aw.release()
    if stop is not None:
        raise stop


def _call(f, where, *args):
    if callable(f):
        try:
            f(*args)
        except Exception as e:
            report(e, where)


def _error(e, code):
    """-> (message, code) for fail()."""
    if isinstance(e, BusinessError):
        return e.message, e.code
    if isinstance(e, MemoryError):
        return "out of memory", 2300027
    return "%s: %s" % (type(e).__name__, e), code


def _response(r, rtype):
    status, reason, hs, body = r
    h = {}
    for n, v in hs:
        h[n] = v  # a repeated header: the last one wins
    res = {"code": status, "headers": h}
    data = ""
    if body:
        try:
            data = str(body, "utf-8")
        except UnicodeError:
            data = bytes(body)  # not text: the bytes rather than a corrupted str
    body = None
    if isinstance(rtype, str) and rtype.lower() == "json":
        import json
        try:
            data = json.loads(data) if isinstance(data, str) else None
        except Exception:  # ValueError; MemoryError on a board
            data = None
        if not isinstance(data, (dict, list)):
            return res  # as the original: no `data` key when it is not a JSON object/array
    res["data"] = data
    return res


def _exchange(o):
    url = o["url"]
    m = o.get("method")
    if m is None:
        m = "GET"
    data = o.get("data")
    body = ctype = None
    if m == "GET" or m == "HEAD" or m == "OPTIONS" or m == "DELETE" or m == "TRACE":  # (no tuple)
        from .proto import url as _url
        if isinstance(data, dict):
            data = _url.urlencode(sorted([(str(k), v) for k, v in data.items()]))
        elif data is not None and not isinstance(data, str):
            raise BusinessError(401, "data must be a str or a dict with %s" % m)
        if data:
            url = _url.add_query(url, data)
    elif m == "POST" or m == "PUT":
        if isinstance(data, str):
            body, ctype = data.encode(), "text/plain"
        elif isinstance(data, (dict, list)):
            import json
            body, ctype = json.dumps(data).encode(), "application/json"
        elif isinstance(data, (bytes, bytearray, memoryview)):
            body, ctype = data, "application/octet-stream"
        elif data is None:
            body = b""
        else:
            raise BusinessError(401, "data must be a str, dict, list or bytes")
    else:
        raise BusinessError(401, "unsupported method %r: GET, HEAD, OPTIONS, DELETE, TRACE, "
                                 "POST or PUT (case-sensitive)" % (m,))
    hd = {}
    if body:
        hd["content-type"] = ctype
    h = o.get("header")
    if h is not None:
        if not isinstance(h, dict):
            raise BusinessError(401, "header must be a dict")
        for k, v in h.items():  # overrides a default, whatever the case
            hd[str(k).lower()] = "true" if v is True else "false" if v is False else str(v)
    from . import _client, _port
    x = _client.Exchange(m, url)
    x.headers = list(hd.items())
    x.body = body
    x.rtype = o.get("responseType")
    x.decode = False  # no Accept-Encoding, as curl without ACCEPT_ENCODING: no inflate RAM
    ca = o.get("caData")
    if ca:
        try:
            from ._tls import pem_to_ders
            x.ca = pem_to_ders(ca)
        except ValueError as e:
            raise BusinessError(2300077, "caData is not PEM or DER: %s" % e)
    elif url[:6].lower() == "https:" and not _port.DEFAULT_CA_PATH:
        raise BusinessError(2300077, "https needs caData (the CA certificate, PEM)")
    return x
