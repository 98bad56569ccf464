# @ohos.net.http: createHttp() -> HttpRequest with request / requestInStream / destroy,
# events, and HttpResponse. Choices where OpenHarmony's code and docs differ, and the
# options this port does not support, are listed in docs/http.md.
# This module holds the public names only (dir(http) and help(http) at a REPL show the
# API): option parsing, result typing and the request itself are in netstack._http.
from ._err import Emitter
# The engine (_http, _client and what they import) loads with the first createHttp(), not
# with this module: a program that imports http and never makes a request pays for the
# facade only. It loads through _err.load (collections while it loads, one after), and
# takes its spare receive buffer first thing (_client), before its own objects split the
# heap around it.


class HttpResponse:
    result = None
    resultType = 0  # HttpDataType.STRING
    responseCode = 0
    cookies = ""

    def __init__(self):
        self.header = {}

    def __getattr__(self, name):
        # performanceTiming, made when first read: most responses never have it read, so
        # its class (netstack._httptiming) is not loaded with the engine
        if name != "performanceTiming":
            raise AttributeError(name)
        from ._httptiming import PerformanceTiming
        t = self.performanceTiming = PerformanceTiming(self._t)  # (_t: _http sets it)
        return t

    def __repr__(self):
        from ._err import _t
        return _t(7, (self.responseCode, type(self.result).__name__))  # <HttpResponse %d %s>


def __getattr__(name):  # (after HttpResponse, which names PerformanceTiming first: the
    # string below is then that name, not a str object on the heap)
    # The enum classes cost heap (64-bit port: ~2 KB, ResponseCode ~1.6 KB more, so it is
    # a module of its own): load them when first used.
    # (Their names in one string: one constant, not six, on every http user's heap.)
    if name in "RequestMethod HttpDataType HttpProtocol CertType AddressFamily".split():
        from . import _httpenum
        return getattr(_httpenum, name)
    if name == "ResponseCode":
        from ._httpcodes import ResponseCode
        return ResponseCode
    if name == "PerformanceTiming":  # (_httptiming: loaded when a timing is first read)
        from ._httptiming import PerformanceTiming
        return PerformanceTiming
    raise AttributeError(name)


class HttpRequest(Emitter):
    # (one str, not a tuple: a tuple constant is a tuple and a str object per name on the
    # heap, even from ROMFS; Emitter splits it)
    EVENTS = "headerReceive headersReceive dataReceive dataEnd dataReceiveProgress dataSendProgress"
    _go = None  # _http.start, bound here by the first createHttp(): no import per request
    _pool = None  # the idle keep-alive connection between requests (_client.Pool), made by
    # the first request (a createHttp() + destroy() that never requested makes none)

    def __init__(self):
        if HttpRequest._go is None:  # the first createHttp(): the engine, bound once
            from ._err import load
            load("_http")
            from . import _http
            HttpRequest._go = _http.start
            _http.R = HttpResponse
        self._destroyed = False
        self._jar = None
        self._running = []  # tasks of requests in flight, cancelled by destroy()

    # Arguments are checked at the call, as OpenHarmony throws 401 synchronously: a wrong
    # one raises there, not once the returned operation runs. The result classes are
    # handed to _http once, above (it does not import this module: imports point one way).
    def request(self, url, options=None, callback=None):
        return self._go(url, options, callback, False)

    def requestInStream(self, url, options=None, callback=None):
        return self._go(url, options, callback, True)

    def destroy(self):
        """Close the connection; requests in flight fail with 2300023, later ones too.
        Called from a listener, the request that emitted the event fails as soon as the
        listener returns (a task cannot cancel itself)."""
        self._destroyed = True
        p = self._pool
        if p is not None:  # (none before the first request)
            p.dead = True  # (its put() closes instead of keeping, from now on)
            p.close()
        if self._running:  # (elsewhere: this frame stays within 11 words, no heap frame)
            from ._http import stop
            stop(self)

    def enableAutoCookie(self, enable):
        if not isinstance(enable, bool):
            from ._err import param
            raise param(6)  # enableAutoCookie(enable: bool)
        if enable and self._jar is None:
            from ._cookies import CookieJar
            self._jar = CookieJar()
        elif not enable:
            self._jar = None


del Emitter  # HttpRequest keeps its base; dir(http) shows the API only


def createHttp():
    return HttpRequest()


def createHttpResponseCache(cacheSize=10 * 1024 * 1024):
    from ._err import load
    load("_cache")  # loaded only here: `import netstack.http` does not pay for it
    from . import _cache
    return _cache.create(cacheSize)
