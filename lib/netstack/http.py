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


def __getattr__(name):
    # The enum classes cost ~3.6 KB of heap on a 64-bit port: load them when first used.
    if name in ("RequestMethod", "ResponseCode", "HttpDataType", "HttpProtocol", "CertType",
                "AddressFamily"):
        from . import _httpenum
        return getattr(_httpenum, name)
    raise AttributeError(name)


class PerformanceTiming:
    """Milliseconds from the request's start to each stage (0: the stage did not happen),
    worked out when read: most responses never have their timing looked at."""

    # " field:mark" for each field: the timing mark (_client.Exchange.timing) it ends at
    # (3: TLS, worked out below; 9: the end of the transfer, body or head). One string, not
    # a dict: no table and no name objects kept in RAM for what is rarely read.
    _MARKS = (" dnsTiming:1 tcpTiming:2 tlsTiming:3 firstSendTiming:4 firstReceiveTiming:5"
              " responseHeaderTiming:6 responseBodyTiming:7 totalFinishTiming:9 totalTiming:9"
              " redirectTiming:8")

    def __init__(self, t):
        self._t = t

    def __getattr__(self, name):
        m = PerformanceTiming._MARKS
        i = m.find(" %s:" % name)
        if i < 0 or ":" in name:
            raise AttributeError(name)
        i = ord(m[i + len(name) + 2]) - 48
        t = self._t
        if i == 3:  # TLS: from its start to the first byte after the handshake
            i = 5 if t[3] else 0
        elif i == 9:  # the end of the body, or of the head when there was no body
            i = 7 if t[7] else 6
        from time import ticks_diff
        return ticks_diff(t[i], t[0]) if i and t[i] else 0

    def __repr__(self):
        return "<PerformanceTiming %s>" % " ".join(
            "%s=%d" % (k, getattr(self, k))
            for k in sorted(f.split(":")[0] for f in PerformanceTiming._MARKS.split()))


class HttpResponse:
    result = None
    resultType = 0  # HttpDataType.STRING
    responseCode = 0
    cookies = ""
    performanceTiming = None

    def __init__(self):
        self.header = {}

    def __repr__(self):
        return "<HttpResponse %d %s>" % (self.responseCode, type(self.result).__name__)


class HttpRequest(Emitter):
    EVENTS = ("headerReceive", "headersReceive", "dataReceive", "dataEnd",
              "dataReceiveProgress", "dataSendProgress")
    _go = None  # _http.start, bound here by the first createHttp(): no import per request

    def __init__(self):
        from ._err import load
        load("_http")  # the engine, on the first createHttp()
        from . import _http
        HttpRequest._go = _http.start
        _http.R, _http.T = HttpResponse, PerformanceTiming
        from ._client import Pool
        self._pool = Pool()  # the idle keep-alive connection between requests
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
        self._pool.shut()
        if self._running:
            from . import _port
            try:
                cur = _port.current_task()
            except RuntimeError:  # called outside the event loop
                cur = None
            for t in self._running:
                if t is not cur:
                    t.cancel()

    def enableAutoCookie(self, enable):
        if not isinstance(enable, bool):
            from ._err import param
            raise param("enableAutoCookie(enable: bool)")
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
