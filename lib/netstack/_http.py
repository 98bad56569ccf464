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


R = None  # HttpResponse: set by http at the first createHttp()
_call = _aw.call


def start(req, url, options, callback, streaming):
    """HttpRequest.request / requestInStream: check the arguments now (401 at the call),
    -> the operation (or None: the callback gets the outcome). (Its frame and those below
    stay within MicroPython's 11 words: a bigger one is a heap allocation per call.)"""
    # (the class first, here and in _options: a builtin's name costs MicroPython ~1k
    # instructions to find, a reused GET's whole budget is ~160k)
    if callback is None and options is not None and options.__class__ is not dict and \
            callable(options):
        options, callback = None, options
    if callback is not None and not callable(callback):
        raise param(8)  # callback must be a function
    x = _exchange(url, options)
    if streaming:
        x.max_limit = None  # (no bound)
    elif x.lent is not None:  # (set by _httpopt for the extension option streamBuffer)
        raise param(12)  # streamBuffer must be a non-empty bytearray, for requestInStream
    return _call(_request(req, x, streaming), callback, _E_INTERNAL,
                 "requestInStream" if streaming else "request")


def stop(req):
    """HttpRequest.destroy(): cancel its requests in flight (not the caller's own task)."""
    try:
        cur = _port.current_task()
    except RuntimeError:  # called outside the event loop
        cur = None
    for t in req._running:
        if t is not cur:
            t.cancel()


def _destroyed():
    return BusinessError(_E_TOO_BIG, 13)  # HttpRequest was destroyed during the transfer


async def _request(req, x, streaming):
    global _hmemo
    # The request, its events and the HttpResponse in one coroutine: its frame is part of
    # the coroutine object, where a function's over 11 words is one more heap allocation
    if req._destroyed:
        raise BusinessError(_E_TOO_BIG, 14)  # HttpRequest was destroyed
    jar = req._jar
    if jar is not None:
        x.cookies = jar
    resp = R()
    if not streaming:
        for n, v in x.headers:
            if n == "accept-encoding" and ("gzip" in v or "deflate" in v):
                x.decode = True
                # load the decoder now, not mid-body: imported between the body's buffers
                # it split the heap, and at 110k the first gzip body got no 32 KB window
                from . import _inflate  # noqa: F401
    if streaming or req._ls:  # events to emit while it runs (none: the header comes after)
        from ._httpev import wire  # (loaded for listeners or a stream only)
        wire(req, x, resp, streaming, header_object)
    task = _port.current_task()
    req._running.append(task)
    try:
        # readTimeout bounds the whole transfer: its watchdog is armed by the engine at the
        # first wait that lets other tasks run (_client.arm)
        c = _client.cache
        if c is None or streaming or not x.use_cache:
            c = _client
        pool = req._pool
        if pool is None:
            pool = req._pool = _client.Pool()
        status, reason, headers, body = await c.perform(x, pool)
        if req._destroyed:  # by a listener of this request, after its last check
            raise _destroyed()
        # the HttpResponse (or, streaming, dataEnd and the status)
        resp.responseCode = status
        resp._t = x.timing  # (performanceTiming, made from it when first read)
        # The engine hands the same header list again for the same head bytes (a device
        # polling one URL): from its second time its header object is copied, not made
        m = _hmemo
        if m[0] is not headers:
            i = len(headers)  # (any Set-Cookie line: the last one found first)
            while i and headers[i - 1][0] != "set-cookie":
                i -= 1
            m = _hmemo = (headers, None, i)
        elif m[1] is None:
            m = _hmemo = (headers, header_object(headers), m[2])
        if x.on_head is None:  # (the caller's own object: it may change it)
            resp.header = header_object(headers) if m[1] is None else m[1].copy()
        # cookies: the jar's (enableAutoCookie), else this response's Set-Cookie lines
        if jar is not None:
            resp.cookies = jar.netscape()
        elif m[2]:
            from ._cookies import netscape_from_headers
            resp.cookies = netscape_from_headers(headers, x.url_final)
        if streaming:
            req._emit("dataEnd")
            return status
        type_result(resp, body, x.expect)
        return resp
    except BusinessError:
        raise
    except MemoryError:
        raise BusinessError(_E_OOM, 15)  # out of memory
    except _port.CancelledError:
        if x.timed_out:
            raise BusinessError(_E_TIMEOUT, 16, x.read_timeout)  # no complete response within %d ms
        if req._destroyed:
            raise _destroyed()
        raise
    finally:
        if x.dog is not None:
            _aw.unwatch(x.dog, x, "timed_out")
        req._running.remove(task)


_hmemo = (None,)  # (the last header list, its header object, has Set-Cookie lines)


def header_object(headers):
    """OpenHarmony's header object: lower-case keys, set-cookie a list, empty values dropped,
    other repeated headers joined with ', ' (RFC 9110 §5.3)."""
    h = dict(headers)  # in C; as it is when no name repeats, none is set-cookie, none empty
    if len(h) == len(headers) and "set-cookie" not in h and "" not in h.values():
        return h
    h = {}
    i = 0
    while i < len(headers):  # (not `for`: its iterator takes 4 words of the frame)
        n, v = headers[i]
        i += 1
        if not v:
            continue
        if n == "set-cookie":
            h.setdefault(n, []).append(v)
        elif n in h:
            h[n] = h[n] + ", " + v
        else:
            h[n] = v
    return h


def type_result(resp, body, expect):
    """HttpResponse.result by expectDataType, else by content-type (inventory §2.5).
    ArrayBuffer results are bytearray: the body buffer itself when it holds exactly the
    body, so a large download is not copied again."""
    if body is None:
        body = b""
    if expect == _OBJECT and len(body) <= _JSON_MAX:
        v = _json(body)
        if v is not _json:
            resp.result = v
            resp.resultType = _OBJECT
            return
        expect = None
    if expect != _ARRAY_BUFFER:
        ct = resp.header.get("content-type", "")
        # text unless binary by its content-type (when expectDataType does not say)
        if (expect is not None and expect != _OBJECT) or not (
                "application/octet-stream" in ct or "image" in ct):
            v = _text(body)
            if v is not None:  # (else not text: hand over the bytes rather than corrupt them)
                resp.result = v  # resultType stays STRING (the default)
                return
    resp.result = body if type(body) is bytearray else bytearray(body)
    resp.resultType = _ARRAY_BUFFER


# (the try blocks in functions of their own: each one adds 3 words to a frame)
def _text(body):
    try:  # (a bytearray's own decode: no builtin's name to find)
        return body.decode() if body.__class__ is bytearray else str(body, "utf-8")
    except UnicodeError:
        return None


def _json(body):  # -> the parsed value, or _json itself when it is not JSON
    import json
    try:
        return json.loads(bytes(body))
    except (ValueError, UnicodeError):
        return _json


# --- options -----------------------------------------------------------------------------

# (The method and option names below are compared one by one: a tuple literal of strs is a
# tuple and a str object per item on the heap, even from ROMFS; == with a name is not.)


def _exchange(url, o):
    """The Exchange for url + options, or BusinessError 401 (at the call). The work is in
    small functions, each frame within MicroPython's 11 words (no heap frame per call)."""
    try:
        return _options(url, o)
    except MemoryError:
        raise BusinessError(_E_OOM, 15)  # out of memory


def _options(url, o):
    if url.__class__ is not str and not isinstance(url, str):
        raise param(17)  # url must be a string
    if o is None:
        o = {}
    elif o.__class__ is not dict and not isinstance(o, dict):
        raise param(18)  # options must be an object (dict)
    rare = _rare(o)  # 2: an option beyond the everyday ones; 1: an everyday one beyond
    # method and header; 0: none (each option is looked for only when one may be there)
    x = _client.Exchange(_method(o, rare > 1), url)
    uh = o.get("header")
    x.headers = [] if uh is None else _headers(uh)  # (a rare option or the cache may add one)
    if rare > 1 or not (x.method == "GET" or _bodiless(x.method)) or \
            (rare and o.get("extraData") is not None):
        from ._httpbody import prepare  # (extraData, queryParams...: loaded for them only)
        prepare(x, o, rare > 1, uh)
    if rare:
        _numbers(x, o)
    if rare > 1:
        _httpopt.apply(x, o, x.method)
    return x


def _rare(o):
    global _httpopt
    r = 0
    for k in o:
        if k != "method" and k != "header":
            if not (k == "extraData" or k == "expectDataType" or k == "readTimeout" or
                    k == "connectTimeout" or k == "maxLimit" or k == "usingCache" or
                    k == "priority" or k == "usingProtocol" or k == "addressFamily" or
                    k == "caPath" or k == "caData"):  # the everyday options
                # the other options are parsed by _httpopt, loaded only for them
                from . import _httpopt
                _httpopt.check(o)
                return 2
            r = 1
    return r


_httpopt = None


def _method(o, rare):
    m = (rare and o.get("customMethod")) or o.get("method") or "GET"
    if m == "GET" or _bodiless(m):  # checked by being one of them (GET: without a call)
        return m
    if not isinstance(m, str) or not m or " " in m:
        raise param(19)  # method must be a token string
    u = m.upper()  # (each new str costs MicroPython an intern-table scan)
    if _bodiless(u) or u == "POST" or u == "PUT" or u == "DELETE" or u == "PATCH":
        return u
    return m


def _bodiless(m):
    # GET, HEAD, OPTIONS, TRACE, CONNECT: compared one by one, not `in` a tuple of them (a
    # tuple literal of strs is a tuple and a str object per item on the heap, even from ROMFS)
    return m == "GET" or m == "HEAD" or m == "OPTIONS" or m == "TRACE" or m == "CONNECT"


def _headers(uh):
    if not isinstance(uh, dict):
        raise param(20)  # header must be an object (dict)
    hs = list(uh.items())
    i = 0
    while i < len(hs):  # (not `for`: its iterator takes 4 words of the frame)
        k, v = hs[i]
        if not isinstance(k, str):
            raise param(21)  # header names must be strings
        if isinstance(v, bool):
            v = "true" if v else "false"
        hs[i] = (k.lower(), "" if v is None else str(v))
        i += 1
    return hs


def _numbers(x, o):
    # only what differs from Exchange's class defaults: every attribute set on a new
    # instance may grow (reallocate) its attribute table on MicroPython
    v = o.get("expectDataType")
    if v is not None:
        x.expect = v
    if "readTimeout" in o:  # (uint only then: a call costs more than the look)
        x.read_timeout = uint(o, "readTimeout", 60000)
    if "connectTimeout" in o:
        x.connect_timeout = uint(o, "connectTimeout", 60000)
    if "maxLimit" in o:  # (requestInStream: no bound, set when it runs)
        x.max_limit = min(uint(o, "maxLimit", 5 * 1024 * 1024), _MAX_LIMIT_CAP)
    if o.get("usingCache") is False:
        x.use_cache = False
    # read and decoded only when a TLS connection opens (not for a reused one); here, not
    # in _httpopt: an https request with only its CA does not load that module
    v = o.get("caPath") or None
    if v is not None:
        x.ca_path = v
    v = o.get("caData") or None
    if v is not None:
        x.ca_data = v


# The engine last (functions above use it by name when they run): it ends its load with a
# collect, which then covers this module's import garbage too
from . import _client  # noqa: E402
