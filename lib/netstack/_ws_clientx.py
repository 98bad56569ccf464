# The webSocket client's less common steps, loaded only when a connect needs one (a plain
# ws:// connect that succeeds never does): wss options and the TLS context, a proxy (its
# option and the CONNECT tunnel), permessage-deflate once a server agreed (loaded then,
# during the handshake: before the session's buffers), and the error event of a failed
# connect.
# Apart from _ws_client because from ROMFS every name a loaded module mentions is interned
# and every function is an object in the heap (bench/ws_ram.py).
from ._err import BusinessError, param
from . import _port

_E_URL = const(2302001)
_E_CERT = const(2302002)
_E_OTHER = const(2302999)
_E_LINK = const(200)   # the error event's code for a failed connect or a lost link


def url_error(why):
    # connect()'s 2302001: why is the URL parser's text, or None: not ws/wss (or too long)
    return BusinessError(_E_URL, "Websocket url error: " + (why or "the scheme must be ws or wss"))


def option_error(k):
    # connect()'s 401 for option k
    return param(k + (" must be a string" if k == "protocol" else " must be 0..30000 seconds"))


def codec(ext, offer, bits, status):
    # -> the Codec for the permessage-deflate the server agreed to (ext: its extensions
    # value; offer: whether the client offered it), or HandshakeError(status): not agreed
    from .proto import wspmd
    try:
        b = wspmd.accept_response(ext, bits) if offer else None
    except ValueError as e:
        b = None
        ext = str(e)
    if b is None:
        from .proto.wshs import HandshakeError
        raise HandshakeError(status, 23, ext[:60])  # not agreed
    return wspmd.Codec(b[0], b[1])


def proxy(p):
    # connect()'s `proxy` option (a dict) -> (host, port, "user:password" or None); 401
    if not isinstance(p.get("host"), str) or not isinstance(p.get("port"), int):
        raise param("proxy must be {host, port}")
    cred = None
    if p.get("username"):
        cred = "%s:%s" % (p["username"], p.get("password") or "")
    return (p["host"], p["port"], cred)


def tls_opts(o):
    # -> (CA DER list or None, verify, client cert DER, key DER) from the options
    ca = None
    path = o.get("caPath") or None
    from .transport import tls
    if path:
        try:
            ca = tls.pem_to_ders(_port.read_file(path))
        except (OSError, ValueError):
            raise BusinessError(_E_CERT, "caPath %s cannot be read" % path)
        except MemoryError:  # (not a bare MemoryError out of connect(): its "other" code)
            raise BusinessError(_E_OTHER, "out of memory reading caPath")
    cert = key = None
    cc = o.get("clientCert")
    if cc:
        try:
            cert, key = tls.cert_key(cc)
        except (OSError, KeyError, IndexError, TypeError, ValueError):
            raise BusinessError(_E_CERT, "client certificate or key file cannot be read")
        except MemoryError:
            raise BusinessError(_E_OTHER, "out of memory reading clientCert")
    return (ca, not o.get("skipServerCertVerification"), cert, key)


async def dial(host, port, tls, proxy, rb):
    # -> a Conn to host:port: TLS from tls_opts' tuple (or None), through the proxy (or
    # None); rb takes a proxy's answer
    from . import transport
    ctx = None
    if tls is not None:
        from .transport import tls as t
        ctx = t.context(False, tls[0], tls[1], tls[2], tls[3])
    if proxy is None:
        return await transport.dial(host, port, ctx, host)
    if ctx is None:
        # ws through a proxy: a CONNECT tunnel too (transport's dial tunnels only for TLS)
        from .transport.tunnel import tunnel
        conn = await transport.connect(proxy[0], proxy[1], None, True)
        try:
            await tunnel(conn, host, port, proxy[2], rb)
        except BaseException:
            conn.close()
            raise
        return conn
    from .transport.tunnel import dial  # wss through a proxy: a CONNECT tunnel, then TLS
    return await dial(host, port, ctx, host, proxy, rb)


def failed(w, e, status):
    # a connect of WebSocket w failed with e (status: the server's answer, 0 before one):
    # the error event, then the close event
    w._emit("error", _link_error(e, status))
    w._emit("close", {"code": 1006, "reason": "The link is down"})


def _link_error(e, status):
    # the error event's BusinessError for a connect that failed with e
    from .proto.wshs import HandshakeError
    if isinstance(e, HandshakeError):
        err = BusinessError(_E_LINK, "handshake refused (%d): %s" % (e.code, e.msg))
        err.data = str(e.code)
        return err
    if isinstance(e, OSError) and len(e.args) == 1 and e.args[0] in (0, 110):  # _open's own
        e = "connect timed out" if e.args[0] else "connection closed during the handshake"
    if isinstance(e, BusinessError):
        err = BusinessError(_E_LINK, "%s" % e.message)
    elif type(e).__name__ == "NetError":
        err = BusinessError(_E_LINK, "Websocket connect failed: %s" % e.text)
    else:
        err = BusinessError(_E_LINK, "Websocket connect failed: %s" % (e,))
    err.data = str(status)
    return err
