# The private half of netstack.http, loaded by the first request together with the engine:
# option parsing (an Exchange from url + options), the request coroutine with its events,
# timeout and destroy() handling, and result typing. http.py keeps the public names only.
from ._err import BusinessError, param, uint
from . import _aw, _port

from micropython import const

_E_TIMEOUT = const(2300028)
_E_TOO_BIG = const(2300023)
_E_INTERNAL = const(2300999)
_E_OOM = const(2300027)
_MAX_LIMIT_CAP = const(104857600)  # 100 MiB, OpenHarmony's cap for maxLimit
_JSON_MAX = const(65536)           # OBJECT results are parsed only up to this size
_OBJECT = const(1)                 # HttpDataType values (STRING is 0)
_ARRAY_BUFFER = const(2)


def start(req, url, options, callback, streaming, R, T):
    """HttpRequest.request / requestInStream: check the arguments now (401 at the call),
    -> the operation (or None: the callback gets the outcome). R, T: the HttpResponse and
    PerformanceTiming classes."""
    if callback is None and callable(options):
        options, callback = None, options
    if callback is not None and not callable(callback):
        raise param("callback must be a function")
    try:
        x = _exchange(url, options, streaming)
    except MemoryError:
        raise BusinessError(_E_OOM, "out of memory")
    return _aw.call(_request(req, x, options, streaming, R, T), callback, _E_INTERNAL,
                    "requestInStream" if streaming else "request")


def _destroyed():
    return BusinessError(_E_TOO_BIG, "HttpRequest was destroyed during the transfer")


async def _request(req, x, options, streaming, R, T):
    if req._destroyed:
        raise BusinessError(_E_TOO_BIG, "HttpRequest was destroyed")
    if req._jar is not None:
        x.cookies = req._jar
    resp = R()
    _wire_events(req, x, resp, streaming)
    task = _port.current_task()
    timeout = x.read_timeout
    dog = None
    req._running.append(task)
    try:
        if timeout:  # bounds the whole transfer (a third of what wait_for costs)
            dog = _aw.watch(timeout, x, "timed_out", task)
        c = _client.cache
        if c is None or streaming or (options or {}).get("usingCache") is False:
            c = _client
        r = await c.perform(x, req._pool)
        if req._destroyed:  # by a listener of this request, after its last check
            raise _destroyed()
        return _finish(resp, r, x, req._jar, streaming, req, T)
    except BusinessError:
        raise
    except MemoryError:
        raise BusinessError(_E_OOM, "out of memory")
    except _port.CancelledError:
        if x.timed_out:
            raise _aw.deadline(_E_TIMEOUT, "no complete response within %d ms" % timeout)
        if req._destroyed:
            raise _destroyed()
        raise
    finally:
        if dog is not None:
            _aw.unwatch(dog, x, "timed_out")
        req._running.remove(task)


def _wire_events(req, x, resp, streaming):
    # after a listener ran, destroy() called there ends this request right away (alive())
    def alive():
        if req._destroyed:
            raise _destroyed()

    def on_head(status, headers, length):
        resp.header = h = header_object(headers)
        ls = req._ls
        if ls:
            if "headerReceive" in ls:
                req._emit("headerReceive", None, h)
            if "headersReceive" in ls:
                req._emit("headersReceive", h)
            alive()
        if streaming:  # progress (on_data): not set on a request()'s exchange
            x.total = length
            x.got = 0
    x.on_head = on_head
    if streaming:
        def on_data(data):  # per piece: kept short (bulk speed)
            x.got += len(data)
            req._emit("dataReceive", data)
            if x.total and req._has("dataReceiveProgress"):
                req._emit("dataReceiveProgress", {"receiveSize": x.got, "totalSize": x.total})
            if req._destroyed:
                raise _destroyed()
        x.on_data = on_data
    ls = req._ls
    if ls and "dataSendProgress" in ls:
        def on_sent(sent, total):
            req._emit("dataSendProgress", {"sendSize": sent, "totalSize": total})
            alive()
        x.on_sent = on_sent


def header_object(headers):
    """OpenHarmony's header object: lower-case keys, set-cookie a list, empty values dropped,
    other repeated headers joined with ', ' (RFC 9110 §5.3)."""
    h = {}
    for n, v in headers:
        if not v:
            continue
        if n == "set-cookie":
            h.setdefault(n, []).append(v)
        elif n in h:
            h[n] = h[n] + ", " + v
        else:
            h[n] = v
    return h


def _finish(resp, r, x, jar, streaming, req, T):
    # the HttpResponse (or, streaming, dataEnd and the status) from perform()'s result
    status, reason, headers, body = r
    resp.responseCode = status
    resp.performanceTiming = T(x.timing)
    # cookies: the jar's (enableAutoCookie), else this response's Set-Cookie lines
    if jar is not None:
        resp.cookies = jar.netscape()
    else:
        for n, v in headers:
            if n == "set-cookie":
                from ._cookies import netscape_from_headers
                resp.cookies = netscape_from_headers(headers, x.url_final)
                break
    if streaming:
        req._emit("dataEnd")
        return status
    type_result(resp, body, x.expect)
    return resp


def type_result(resp, body, expect):
    """HttpResponse.result by expectDataType, else by content-type (inventory §2.5).
    ArrayBuffer results are bytearray: the body buffer itself when it holds exactly the
    body, so a large download is not copied again."""
    if body is None:
        body = b""
    if expect == _OBJECT and len(body) <= _JSON_MAX:
        import json
        try:
            resp.result = json.loads(bytes(body))
            resp.resultType = _OBJECT
            return
        except (ValueError, UnicodeError):
            expect = None
    if expect != _ARRAY_BUFFER:
        ct = resp.header.get("content-type", "")
        # text unless binary by its content-type (when expectDataType does not say)
        if (expect is not None and expect != _OBJECT) or not (
                "application/octet-stream" in ct or "image" in ct):
            try:
                resp.result = str(body, "utf-8")  # resultType stays STRING (the default)
                return
            except UnicodeError:  # not text: hand over the bytes rather than corrupt them
                pass
    resp.result = body if type(body) is bytearray else bytearray(body)
    resp.resultType = _ARRAY_BUFFER


# --- options -----------------------------------------------------------------------------

# (The method and option name tuples below are written where they are used: a constant
# tuple costs no global name, no dict slot.)


def _exchange(url, o, streaming):
    if not isinstance(url, str):
        raise param("url must be a string")
    if o is None:
        o = {}
    elif not isinstance(o, dict):
        raise param("options must be an object (dict)")
    rare = False  # any option beyond the everyday ones: only then look for each of them
    for k in o:
        if k not in ("method", "header", "extraData", "expectDataType", "readTimeout",
                     "connectTimeout", "maxLimit", "usingCache", "priority", "usingProtocol",
                     "addressFamily", "caPath", "caData"):  # the everyday options
            rare = True
            break
    if rare:  # the other options are parsed by _httpopt, loaded only for them
        from . import _httpopt
        _httpopt.check(o)
    method = (rare and o.get("customMethod")) or o.get("method") or "GET"
    if not isinstance(method, str) or not method or " " in method:
        raise param("method must be a token string")
    get_like = method in ("GET", "HEAD", "OPTIONS", "TRACE", "CONNECT")
    if not get_like:  # (each new str costs MicroPython an intern-table scan)
        m = method.upper()
        if m in ("GET", "HEAD", "OPTIONS", "TRACE", "CONNECT"):
            method = m
            get_like = True
        elif m in ("POST", "PUT", "DELETE", "PATCH"):
            method = m
    headers = []
    uh = o.get("header")
    if uh is not None:
        if not isinstance(uh, dict):
            raise param("header must be an object (dict)")
        for k, v in uh.items():
            if not isinstance(k, str):
                raise param("header names must be strings")
            if isinstance(v, bool):
                v = "true" if v else "false"
            headers.append((k.lower(), "" if v is None else str(v)))
    body = None
    if rare or not get_like or o.get("extraData") is not None:
        # extraData / queryParams / body / multiFormDataList (inventory §2.6), and the
        # content-type they imply: _httpbody, loaded then (a plain GET does not)
        from ._httpbody import prepare
        url, body = prepare(url, o, get_like, rare, headers, uh)
    # only what differs from Exchange's class defaults: every attribute set on a new
    # instance may grow (reallocate) its attribute table on MicroPython
    x = _client.Exchange(method, url)
    x.headers = headers  # (a rare option or the cache may add one)
    if body is not None:
        x.body = body
    v = o.get("expectDataType")
    if v is not None:
        x.expect = v
    v = uint(o, "readTimeout", 60000)
    if v != 60000:
        x.read_timeout = v
    v = uint(o, "connectTimeout", 60000)
    if v != 60000:
        x.connect_timeout = v
    if streaming:
        x.max_limit = None
    elif "maxLimit" in o:
        x.max_limit = min(uint(o, "maxLimit", 5 * 1024 * 1024), _MAX_LIMIT_CAP)
    if not streaming:
        for n, v in headers:
            if n == "accept-encoding" and ("gzip" in v or "deflate" in v):
                x.decode = True
                # load the decoder now, not mid-body: imported between the body's buffers it
                # split the heap, and at 110k the first gzip body got no 32 KB window (2300027)
                from . import _inflate  # noqa: F401
    # read and decoded only when a TLS connection opens (not for a reused one); here, not
    # in _httpopt: an https request with only its CA does not load that module
    v = o.get("caPath") or None
    if v is not None:
        x.ca_path = v
    v = o.get("caData") or None
    if v is not None:
        x.ca_data = v
    if rare:
        _httpopt.apply(x, o, method)
    return x


# The engine last (functions above use it by name when they run): it ends its load with a
# collect, which then covers this module's import garbage too
from . import _client  # noqa: E402
