# http options beyond the everyday ones (_http._PLAIN): range, redirects, TLS, proxy,
# server authentication, and the options this port rejects. Loaded only by a request
# that uses one of them, so `import netstack.http` does not pay for it.
from ._err import BusinessError, param, uint as _uint
from . import _port
from .proto import url as _url

# (one str of names: a tuple constant is a tuple and a str object per name on the heap)
_UNSUPPORTED = "dnsOverHttps dnsServers usingSocks5Proxy sslType clientEncCert"


def check(o):
    for k in _UNSUPPORTED.split():
        if o.get(k) is not None:
            raise param("option %s is not supported on this port" % k)


def apply(x, o, method):
    """The rare options onto the Exchange x that http._exchange built."""
    rng = _range(o.get("resumeFrom"), o.get("resumeTo"))
    if rng is not None:
        if method == "PUT":
            raise BusinessError(2300999, "resumeFrom/resumeTo cannot be used with PUT")
        x.headers.append(("range", "bytes=" + rng))
    x.max_redirects = _uint(o, "maxRedirects", 30)
    hl = o.get("maxHeadSize")  # extension: the largest response head accepted
    if hl is not None:
        if not isinstance(hl, int) or isinstance(hl, bool) or not 1024 <= hl <= 65536:
            raise param("maxHeadSize must be an int from 1024 to 65536")
        x.head_limit = hl
    sb = o.get("streamBuffer")  # extension: requestInStream into the caller's buffer
    if sb is not None:
        try:  # (request() with it: 401 from _http.start)
            v = memoryview(sb)
            v[0] = v[0]  # writable and not empty, or TypeError/IndexError
        except (TypeError, IndexError):
            raise param("streamBuffer must be a non-empty bytearray, for requestInStream")
        x.lent = v
    _tls_options(x, o)
    _proxy_option(x, o.get("usingProxy"))
    sa = o.get("serverAuthentication")
    if sa is not None:
        cred = sa.get("credential") if isinstance(sa, dict) else None
        if not isinstance(cred, dict):
            raise param("serverAuthentication.credential must be an object")
        kind = sa.get("authenticationType")
        if not (kind is None or kind == "basic" or kind == "digest"):
            raise param("authenticationType %s is not supported on this port" % kind)
        x.auth = (str(cred.get("username", "")), str(cred.get("password", "")), kind)


def _range(f, t):
    ok = lambda v: isinstance(v, int) and 1 <= v <= 4294967296
    f = f if ok(f) else None
    t = t if ok(t) else None
    if f is not None and t is not None:
        return "%d-%d" % (f, t) if t > f else None
    if f is not None:
        return "%d-" % f
    if t is not None:
        return "-%d" % t  # a suffix range, as OpenHarmony sends it
    return None


def _tls_options(x, o):
    rv = o.get("remoteValidation", "system")
    if rv == "skip":
        x.verify = False
    elif rv != "system":
        raise param("remoteValidation must be 'system' or 'skip' on this port")
    tlso = o.get("tlsOptions")
    if tlso is not None and tlso != "system":
        raise param("tlsOptions other than 'system' are not supported on this port")
    cc = o.get("clientCert")
    if cc is not None:
        if not isinstance(cc, dict) or not cc.get("certPath") or not cc.get("keyPath"):
            raise param("clientCert needs certPath and keyPath")
        if cc.get("certType", "PEM") == "P12":
            raise BusinessError(2300058, "P12 client certificates are not supported on this port")
        if cc.get("keyPassword"):
            raise BusinessError(2300058, "encrypted client keys are not supported on this port")
        try:  # webSocket's clientCert reads its files the same way
            from .transport.tls import cert_key
            x.client_cert = cert_key(cc)
        except (OSError, IndexError, ValueError):  # unreadable, empty, or not PEM/DER
            raise BusinessError(2300058, "client certificate or key file cannot be read")
    sni = o.get("sniHostName")
    if sni:
        x.sni = sni[:-1] if sni.endswith(".") else sni
    pins = o.get("certificatePinning")
    if pins is not None:
        from . import _pin
        x.pins = _pin.parse(pins)


def _proxy_option(x, p):
    if p is None or p is False:
        return
    if p is True:
        p = getattr(_port, "DEFAULT_PROXY", None)
        if p is None:
            return
    if not isinstance(p, dict) or not isinstance(p.get("host"), str):
        raise param("usingProxy must be a bool or {host, port, exclusionList?, username?, password?}")
    excl = p.get("exclusionList") or ()
    try:
        host = _url.split(x.url)[1]
    except _url.ProtoError:  # a bad URL: perform() reports it
        return
    for e in excl:
        if e == host or (e.startswith("*.") and host.endswith(e[1:])):
            return
    cred = None
    if p.get("username"):
        cred = "%s:%s" % (p["username"], p.get("password", ""))
    x.proxy = (p["host"], int(p.get("port", 80)), cred)
