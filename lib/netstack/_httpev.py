# http's events while a request runs (headerReceive, headersReceive, dataReceive,
# dataReceiveProgress, dataSendProgress): the Exchange's callbacks, wired by
# _http._request only for a request with listeners or a stream, so a plain request does
# not load these closures. (header_object comes from _http as an argument: imports point
# one way, _http -> _httpev.)
from ._err import BusinessError


def _destroyed():  # (as _http's: the request ends with 2300023)
    return BusinessError(2300023, "HttpRequest was destroyed during the transfer")


def wire(req, x, resp, streaming, header_object):
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
            ls = req._ls  # (not req._has(): a call per piece)
            if x.total and ls and "dataReceiveProgress" in ls:
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
