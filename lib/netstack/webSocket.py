# @ohos.net.webSocket: createWebSocket() (the client, _ws_client) and
# createWebSocketServer() (the server, _ws_server). Each loads its side on first use, so a
# program carries only the side it uses. Frames, handshake and permessage-deflate are the
# sans-I/O code in proto/; one open connection is a _ws_session.Session.


def createWebSocket():
    from . import _err
    _err.load("_ws_client")  # (its garbage reused as it loads: see _err.load)
    from . import _ws_client
    return _ws_client.WebSocket()


def createWebSocketServer():
    from . import _err
    _err.load("_ws_server")
    from . import _ws_server
    return _ws_server.WebSocketServer()
