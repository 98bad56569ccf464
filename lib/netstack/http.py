# @ohos.net.http: createHttp() -> HttpRequest with request / requestInStream / destroy,
# events, and HttpResponse. Option parsing and result typing live here; the exchange
# itself is netstack._client. Choices where OpenHarmony's code and docs differ, and the
# options this port does not support, are listed in docs/http.md.
import time
from ._emit import Emitter
from ._err import BusinessError, param, uint as _uint
from . import _aw, _client, _port
from .proto import url as _url

try:
    from micropython import const
except ImportError:
    const = lambda x: x

_E_TIMEOUT = const(2300028)
_E_TOO_BIG = const(2300023)
_E_INTERNAL = const(2300999)
_MAX_LIMIT_CAP = const(104857600)  # 100 MiB, OpenHarmony's cap for maxLimit
_JSON_MAX = const(65536)           # OBJECT results are parsed only up to this size
_STRING = const(0)                 # HttpDataType values
_OBJECT = const(1)
_ARRAY_BUFFER = const(2)


_ENUMS = ("RequestMethod", "ResponseCode", "HttpDataType", "HttpProtocol", "CertType",
          "AddressFamily")


def __getattr__(name):
    # The enum classes cost ~3.6 KB of heap on a 64-bit port: load them when first used.
    if name in _ENUMS:
        from . import _httpenum
        return getattr(_httpenum, name)
    raise AttributeError(name)


# PerformanceTiming field -> the timing mark (_client.Exchange.timing) it ends at
# (3: TLS, worked out below; 9: the end of the transfer, body or head)
_MARKS = {"dnsTiming": 1, "tcpTiming": 2, "tlsTiming": 3, "firstSendTiming": 4,
          "firstReceiveTiming": 5, "responseHeaderTiming": 6, "responseBodyTiming": 7,
          "totalFinishTiming": 9, "totalTiming": 9, "redirectTiming": 8}


class PerformanceTiming:
    """Milliseconds from the request's start to each stage (0: the stage did not happen),
    worked out when read: most responses never have their timing looked at."""

    def __init__(self, t):
        self._t = t

    def __getattr__(self, name):
        i = _MARKS.get(name)
        if i is None:
            raise AttributeError(name)
        t = self._t
        if i == 3:  # TLS: from its start to the first byte after the handshake
            i = 5 if t[3] else 0
        elif i == 9:  # the end of the body, or of the head when there was no body
            i = 7 if t[7] else 6
        return time.ticks_diff(t[i], t[0]) if i and t[i] else 0

    def __repr__(self):
        return "<PerformanceTiming %s>" % " ".join(
            "%s=%d" % (k, getattr(self, k)) for k in sorted(_MARKS))


class HttpResponse:
    result = None
    resultType = _STRING
    responseCode = 0
    cookies = ""
    performanceTiming = None

    def __init__(self):
        self.header = {}

    def __repr__(self):
        return "<HttpResponse %d %s>" % (self.responseCode, type(self.result).__name__)


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


class HttpRequest(Emitter):
    EVENTS = ("headerReceive", "headersReceive", "dataReceive", "dataEnd",
              "dataReceiveProgress", "dataSendProgress")

    def __init__(self):
        self._pool = _client.Pool()
        self._destroyed = False
        self._jar = None
        self._running = []  # tasks of requests in flight, cancelled by destroy()

    # Arguments are checked at the call, as OpenHarmony throws 401 synchronously: a wrong
    # one raises there, not once the returned operation runs.
    def request(self, url, options=None, callback=None):
        if callback is None and callable(options):
            options, callback = None, options
        x = _checked(url, options, False, callback)
        return _aw.call(self._request(x, options, False), callback, _E_INTERNAL, "request")

    def requestInStream(self, url, options=None, callback=None):
        if callback is None and callable(options):
            options, callback = None, options
        x = _checked(url, options, True, callback)
        return _aw.call(self._request(x, options, True), callback, _E_INTERNAL, "requestInStream")

    def destroy(self):
        """Close the connection; requests in flight fail with 2300023, later ones too.
        Called from a listener, the request that emitted the event fails as soon as the
        listener returns (a task cannot cancel itself)."""
        self._destroyed = True
        self._pool.shut()
        if self._running:
            try:
                cur = _port.current_task()
            except RuntimeError:  # called outside the event loop
                cur = None
            for t in self._running:
                if t is not cur:
                    t.cancel()

    def enableAutoCookie(self, enable):
        if not isinstance(enable, bool):
            raise param("enableAutoCookie(enable: bool)")
        if enable and self._jar is None:
            from ._cookies import CookieJar
            self._jar = CookieJar()
        elif not enable:
            self._jar = None

    async def _request(self, x, options, streaming):
        if self._destroyed:
            raise BusinessError(_E_TOO_BIG, "HttpRequest was destroyed")
        if self._jar is not None:
            x.cookies = self._jar
        resp = HttpResponse()
        self._wire_events(x, resp, streaming)
        task = _port.current_task()
        timeout = x.read_timeout
        dog = None
        self._running.append(task)
        try:
            if timeout:  # bounds the whole transfer (a third of what wait_for costs)
                dog = _aw.watch(timeout, x, "timed_out")
            c = _client.cache
            if c is None or streaming or (options or {}).get("usingCache") is False:
                c = _client
            r = await c.perform(x, self._pool)
            if self._destroyed:  # by a listener of this request, after its last check
                raise BusinessError(_E_TOO_BIG, "HttpRequest was destroyed during the transfer")
            return _finish(resp, r, x, self._jar, streaming, self)
        except BusinessError:
            raise
        except MemoryError:
            raise BusinessError(2300027, "out of memory")
        except _port.CancelledError:
            if x.timed_out:
                raise _aw.deadline(_E_TIMEOUT, "no complete response within %d ms" % timeout)
            if self._destroyed:
                raise BusinessError(_E_TOO_BIG, "HttpRequest was destroyed during the transfer")
            raise
        finally:
            if dog is not None:
                _aw.unwatch(dog, x, "timed_out")
            self._running.remove(task)

    def _wire_events(self, x, resp, streaming):
        def on_head(status, headers, length):
            resp.header = h = header_object(headers)
            if self._has("headerReceive"):
                self._emit("headerReceive", None, h)
            if self._has("headersReceive"):
                self._emit("headersReceive", h)
            self._alive()
            x.total = length
            x.got = 0
        x.on_head = on_head
        if streaming:
            def on_data(data):
                x.got += len(data)
                self._emit("dataReceive", data)
                if x.total and self._has("dataReceiveProgress"):
                    self._emit("dataReceiveProgress", {"receiveSize": x.got, "totalSize": x.total})
                self._alive()
            x.on_data = on_data
        if self._has("dataSendProgress"):
            def on_sent(sent, total):
                self._emit("dataSendProgress", {"sendSize": sent, "totalSize": total})
                self._alive()
            x.on_sent = on_sent

    def _alive(self):
        # after a listener ran: destroy() called there ends this request right away
        if self._destroyed:
            raise BusinessError(_E_TOO_BIG, "HttpRequest was destroyed during the transfer")


def _finish(resp, r, x, jar, streaming, req):
    # the HttpResponse (or, streaming, dataEnd and the status) from perform()'s result
    status, reason, headers, body = r
    resp.responseCode = status
    resp.performanceTiming = PerformanceTiming(x.timing)
    resp.cookies = _cookie_lines(jar, headers, x)
    if streaming:
        req._emit("dataEnd")
        return status
    _type_result(resp, body, x.expect, resp.header)
    return resp


def _checked(url, options, streaming, callback):
    if callback is not None and not callable(callback):
        raise param("callback must be a function")
    try:
        return _exchange(url, options, streaming)
    except MemoryError:
        raise BusinessError(2300027, "out of memory")


def createHttp():
    return HttpRequest()




def createHttpResponseCache(cacheSize=10 * 1024 * 1024):
    from . import _cache  # loaded only here: `import netstack.http` does not pay for it
    return _cache.create(cacheSize)


def _cookie_lines(jar, headers, x):
    if jar is not None:
        return jar.netscape()
    for n, v in headers:
        if n == "set-cookie":
            break
    else:
        return ""
    from ._cookies import netscape_from_headers
    return netscape_from_headers(headers, x.url_final)


def _type_result(resp, body, expect, h):
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
    if expect == _ARRAY_BUFFER:
        resp.result, resp.resultType = _array_buffer(body), _ARRAY_BUFFER
        return
    if expect is None or expect == _OBJECT:
        ct = h.get("content-type", "")
        if "application/octet-stream" in ct or "image" in ct:
            resp.result, resp.resultType = _array_buffer(body), _ARRAY_BUFFER
            return
    try:
        resp.result, resp.resultType = str(body, "utf-8"), _STRING
    except UnicodeError:  # not text: hand over the bytes rather than corrupt them
        resp.result, resp.resultType = _array_buffer(body), _ARRAY_BUFFER


def _array_buffer(body):
    return body if type(body) is bytearray else bytearray(body)


# --- options -----------------------------------------------------------------------------

_GET_LIKE = ("GET", "HEAD", "OPTIONS", "TRACE", "CONNECT")
# the everyday options: a request with only these skips the checks for all the others
_PLAIN = ("method", "header", "extraData", "expectDataType", "readTimeout", "connectTimeout",
          "maxLimit", "usingCache", "priority", "usingProtocol", "addressFamily")


def _exchange(url, o, streaming):
    if not isinstance(url, str):
        raise param("url must be a string")
    if o is None:
        o = {}
    elif not isinstance(o, dict):
        raise param("options must be an object (dict)")
    rare = False  # any option beyond the everyday ones: only then look for each of them
    for k in o:
        if k not in _PLAIN:
            rare = True
            break
    if rare:  # the other options are parsed by _httpopt, loaded only for them
        from . import _httpopt
        _httpopt.check(o)
    method = (rare and o.get("customMethod")) or o.get("method") or "GET"
    if not isinstance(method, str) or not method or " " in method:
        raise param("method must be a token string")
    method = method.upper() if method.upper() in _GET_LIKE + ("POST", "PUT", "DELETE", "PATCH") else method
    # extraData / queryParams / body (inventory §2.6)
    user_headers = o.get("header")
    headers = []
    ctype_form = ctype_json = False
    body = None
    data = o.get("body") if rare and o.get("body") is not None else o.get("extraData")
    qp = o.get("queryParams") if rare else None
    if qp is not None:
        url = _url.add_query(url, _form(qp) if isinstance(qp, dict) else str(qp))
    if method in _GET_LIKE:
        if o.get("body") is None and data is not None:
            if isinstance(data, str):
                if data:
                    url = _url.add_query(url, data)
            elif isinstance(data, dict):
                q = _form(data)
                if q:
                    url = _url.add_query(url, q)
                    ctype_form = True
    elif data is not None:
        if isinstance(data, str):
            if not data:
                raise param("extraData must not be an empty string (use None)")
            body = data.encode()
        elif isinstance(data, (bytes, bytearray, memoryview)):
            body = data
        elif isinstance(data, (dict, list)):
            import json
            body = json.dumps(data).encode()
            ctype_json = True
        else:
            raise param("extraData must be str, dict or bytes")
    mfd = o.get("multiFormDataList") if rare else None
    if mfd is not None and method not in _GET_LIKE:
        from ._multipart import encode
        body, ctype = encode(mfd)
        headers.append(("content-type", ctype))
    if user_headers is not None:
        if not isinstance(user_headers, dict):
            raise param("header must be an object (dict)")
        if method not in _GET_LIKE and mfd is None and "content-type" not in [k.lower() for k in user_headers]:
            headers.append(("content-type", "application/json"))
        for k, v in user_headers.items():
            if not isinstance(k, str):
                raise param("header names must be strings")
            if isinstance(v, bool):
                v = "true" if v else "false"
            headers.append((k.lower(), "" if v is None else str(v)))
    if body is not None and not any(n == "content-type" for n, v in headers):
        # without a header option curl would label any body form-urlencoded; say what it is
        headers.append(("content-type", "application/json" if ctype_json else
                        "application/x-www-form-urlencoded" if isinstance(data, str) else
                        "application/octet-stream"))
    elif ctype_form and not any(n == "content-type" for n, v in headers):
        headers.append(("content-type", "application/x-www-form-urlencoded"))
    x = _client.Exchange(method, url)
    x.headers = headers
    x.body = body
    x.expect = o.get("expectDataType")
    x.read_timeout = _uint(o, "readTimeout", 60000)
    x.connect_timeout = _uint(o, "connectTimeout", 60000)
    ml = _uint(o, "maxLimit", 5 * 1024 * 1024)
    x.max_limit = None if streaming else min(ml, _MAX_LIMIT_CAP)
    if not streaming:
        for n, v in headers:
            if n == "accept-encoding" and ("gzip" in v or "deflate" in v):
                x.decode = True
                # load the decoder now, not mid-body: imported between the body's buffers it
                # split the heap, and at 110k the first gzip body got no 32 KB window (2300027)
                from . import _inflate  # noqa: F401
    x.total = x.got = 0
    if rare:
        _httpopt.apply(x, o, method)
    return x


def _form(d):
    pairs = []
    for k, v in d.items():
        if isinstance(v, str) and v:  # non-string and empty values are dropped (§2.6)
            pairs.append((k, v))
    return _url.urlencode(pairs)
