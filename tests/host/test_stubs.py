# stubs/netstack/*.pyi name every public function and class of the modules, every enum member
# with its kind, every public method of the request object; and nothing the library lacks.
import ast
import inspect
import os

import netstack
from netstack import fetch, http

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STUBS = os.path.join(ROOT, "stubs", "netstack")


def stub(name):
    with open(os.path.join(STUBS, name + ".pyi")) as f:
        tree = ast.parse(f.read())
    top = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top[node.name] = node
    return top


def members(cls_node, top=None):
    """Names a stub class defines; with top (the stub's classes by name), also those it
    inherits from the stub's own classes."""
    out = set()
    for n in cls_node.body:
        if isinstance(n, ast.FunctionDef):
            out.add(n.name)
        elif isinstance(n, ast.AnnAssign):
            out.add(n.target.id)
    for b in cls_node.bases if top else ():
        if isinstance(b, ast.Name) and b.id in top:
            out |= members(top[b.id], top)
    return out


def public(mod):
    return {n for n, v in vars(mod).items() if not n.startswith("_")
            and (inspect.isfunction(v) or inspect.isclass(v))
            and getattr(v, "__module__", "") == mod.__name__}      # defined there, not imported


def test_core():
    s = stub("__init__")
    assert {"run", "debug", "BusinessError"} <= set(s)
    assert public(netstack) - {"websocket"} <= set(s) | {"fetch", "http"}


def test_http_functions_classes_and_methods():
    s = stub("http")
    lib = public(http)
    assert lib <= set(s), lib - set(s)
    for name in ("createHttp", "createHttpResponseCache"):
        assert name in s
    req = {n for n in dir(http.HttpRequest) if not n.startswith("_") and n not in ("EVENTS",)}
    assert req == members(s["HttpRequest"]), req ^ members(s["HttpRequest"])
    events = ast.literal_eval(ast.unparse(next(
        n for n in ast.parse(open(os.path.join(STUBS, "http.pyi")).read()).body
        if isinstance(n, ast.Assign) and n.targets[0].id == "EventName").value.slice))
    assert set(events) == set(http.HttpRequest.EVENTS.split())  # (one str: RAM)
    timing = {f.split(":")[0] for f in http.PerformanceTiming._MARKS.split()}  # " name:mark"
    assert timing == members(s["PerformanceTiming"])


def test_http_enums():
    s = stub("http")
    for name in ("RequestMethod", "ResponseCode", "HttpDataType", "HttpProtocol", "CertType",
                 "AddressFamily"):
        cls = getattr(http, name)  # (through http.__getattr__: _httpenum, _httpcodes)
        lib = {k for k in vars(cls) if not k.startswith("_")}
        assert lib == members(s[name]), (name, lib ^ members(s[name]))
        for n in s[name].body:
            want = "Final[str]" if isinstance(getattr(cls, n.target.id), str) else "Final[int]"
            assert ast.unparse(n.annotation) == want, (name, n.target.id)


def test_fetch():
    s = stub("fetch")
    assert public(fetch) <= set(s) and "fetch" in s


def test_websocket():
    from netstack import webSocket, _ws_client
    s = stub("webSocket")
    assert public(webSocket) <= set(s) and "createWebSocket" in s
    api = {"connect", "send", "close", "on", "once", "off"}
    assert api <= {n for n in dir(_ws_client.WebSocket) if not n.startswith("_")}
    assert members(s["WebSocket"]) == api
    tree = ast.parse(open(os.path.join(STUBS, "webSocket.pyi")).read())
    events = ast.literal_eval(ast.unparse(next(
        n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "EventName"
    ).value.slice))
    assert set(events) == set(_ws_client.WebSocket.EVENTS)


INTERNAL = {"EVENTS", "CONN", "on_close", "on_error", "on_message", "waiter"}  # hooks, not API


def api(cls):
    return {n for n in dir(cls) if not n.startswith("_") and n not in INTERNAL
            and callable(getattr(cls, n))}


def test_socket():
    from netstack import socket as S
    s = stub("socket")
    assert public(S) <= set(s), public(S) - set(s)
    made = {"constructTCPSocketInstance": "TCPSocket",
            "constructTCPSocketServerInstance": "TCPSocketServer",
            "constructUDPSocketInstance": "UDPSocket",
            "constructMulticastSocketInstance": "MulticastSocket",
            "constructTLSSocketInstance": "TLSSocket",
            "constructTLSSocketServerInstance": "TLSSocketServer",
            "constructLocalSocketInstance": "LocalSocket",
            "constructLocalSocketServerInstance": "LocalSocketServer"}
    assert {n for n in public(S) if n.startswith("construct")} == set(made)
    for fn, cls_name in made.items():
        obj = getattr(S, fn)()
        want = members(s[cls_name], s) - {"clientId"}
        assert api(type(obj)) == want, (cls_name, api(type(obj)) ^ want)
        assert ast.unparse(s[fn].returns) == cls_name     # nothing opened: nothing to close
    # server connections: their classes load with their servers
    from netstack import _sock_local_srv, _sock_srv, _sock_tlss
    for cls in (_sock_srv.TCPSocketConnection, _sock_tlss.TLSSocketConnection,
                _sock_local_srv.LocalSocketConnection):
        want = members(s[cls.__name__], s) - {"clientId"}
        assert api(cls) == want, (cls.__name__, api(cls) ^ want)
    for enum in ("ProxyTypes", "Protocol"):
        lib = {k for k in vars(getattr(S, enum)) if not k.startswith("_")}
        assert lib == members(s[enum]), enum


def test_websocket_server():
    from netstack import _ws_server
    s = stub("webSocket")
    assert api(_ws_server.WebSocketServer) == members(s["WebSocketServer"])
