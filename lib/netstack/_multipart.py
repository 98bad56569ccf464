# multipart/form-data bodies for http's multiFormDataList. The body is a list of pieces
# (the engine sends them one by one), so file contents are read once and never joined.
from ._err import param, BusinessError


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
