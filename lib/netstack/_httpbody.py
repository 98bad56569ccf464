# http request bodies and query data, loaded by a request that has any (a plain GET does
# not): extraData / body / queryParams (inventory §2.6), the content-type they imply, and
# multipart/form-data bodies for multiFormDataList. A multipart body is a list of pieces
# (the engine sends them one by one), so file contents are read once and never joined.
from ._err import param, BusinessError


def prepare(x, o, rare, uh):
    """The URL's query and the body (x.url, x.body) of http's Exchange x from options o;
    the content-type the data implies is added to x.headers, the user's (lower-case name,
    value) pairs. uh: the user's header option (None: none given)."""
    url = x.url
    get_like = x.method in ("GET", "HEAD", "OPTIONS", "TRACE", "CONNECT")
    headers = x.headers
    ctype_form = ctype_json = False
    body = None
    data = o.get("body") if rare and o.get("body") is not None else o.get("extraData")
    qp = o.get("queryParams") if rare else None
    if qp is not None:
        url = _add_query(url, _form(qp) if isinstance(qp, dict) else str(qp))
    if get_like:
        if o.get("body") is None and data is not None:
            if isinstance(data, str):
                if data:
                    url = _add_query(url, data)
            elif isinstance(data, dict):
                q = _form(data)
                if q:
                    url = _add_query(url, q)
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
    if mfd is not None and not get_like:
        body, ctype = encode(mfd)
        headers.insert(0, ("content-type", ctype))
    elif uh is not None and not get_like and "content-type" not in [k.lower() for k in uh]:
        headers.insert(0, ("content-type", "application/json"))
    if body is not None and not any(n == "content-type" for n, v in headers):
        # without a header option curl would label any body form-urlencoded; say what it is
        headers.append(("content-type", "application/json" if ctype_json else
                        "application/x-www-form-urlencoded" if isinstance(data, str) else
                        "application/octet-stream"))
    elif ctype_form and not any(n == "content-type" for n, v in headers):
        headers.append(("content-type", "application/x-www-form-urlencoded"))
    x.url = x.url_final = url
    if body is not None:
        x.body = body


# proto.url (and its urlx) load only for a request with query data
def _add_query(url, q):
    from .proto.url import add_query
    return add_query(url, q)


def _form(d):
    pairs = []
    for k, v in d.items():
        if isinstance(v, str) and v:  # non-string and empty values are dropped (§2.6)
            pairs.append((k, v))
    from .proto.url import urlencode
    return urlencode(pairs)


def encode(items):
    if not isinstance(items, list) or not items:
        raise param("multiFormDataList must be a non-empty list")
    from ._port import random_bytes
    import binascii
    boundary = "----netstack" + binascii.hexlify(random_bytes(12)).decode()
    pieces = []
    for it in items:
        if not isinstance(it, dict) or not isinstance(it.get("name"), str):
            raise param("multiFormDataList entries need a name")
        name = it["name"]
        ctype = it.get("contentType") or "text/plain"
        fn = it.get("remoteFileName")
        disp = 'form-data; name="%s"' % _q(name)
        if fn:
            disp += '; filename="%s"' % _q(fn)
        data = it.get("data")
        path = it.get("filePath")
        if data is None and path:
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                raise BusinessError(2300026, "cannot read %s" % path)
            if not fn:
                disp += '; filename="%s"' % _q(path.split("/")[-1])
        if data is None:
            data = b""
        elif isinstance(data, str):
            data = data.encode()
        elif not isinstance(data, (bytes, bytearray, memoryview)):
            raise param("multiFormDataList data must be str or bytes")
        pieces.append(("--%s\r\nContent-Disposition: %s\r\nContent-Type: %s\r\n\r\n" % (
            boundary, disp, ctype)).encode())
        pieces.append(data)
        pieces.append(b"\r\n")
    pieces.append(("--%s--\r\n" % boundary).encode())
    return pieces, "multipart/form-data; boundary=" + boundary


def _q(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")
