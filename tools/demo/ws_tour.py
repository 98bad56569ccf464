# The `make demo` WebSocket tour (its own process: a fresh 192k heap), run on the
# MicroPython unix port. CFG (the peers' addresses) is prepended by tools/demo.py.
import gc
import netstack
print("\n== @ohos.net.webSocket: a client talking to a local echo server (CPython websockets)")
from netstack import webSocket
ws = webSocket.createWebSocket()
ws.on("open", lambda o: (print("open", o["status"], o["message"]), ws.send("hello from the board",
                                                                        lambda e, d: None)))


def on_message(m):
    print("message", repr(m))
    ws.close({"code": 1000, "reason": "bye"}, lambda e, d: None)


ws.on("message", on_message)
ws.on("close", lambda r: print("close", r))
print("connect ->", netstack.run(ws.connect(CFG["ws_echo"] + "/demo")))
netstack.run()

print("\n== the WebSocket server on the board, serving two clients")
srv = webSocket.createWebSocketServer()
srv.on("connect", lambda c: print("server: connect from %s:%d" % (c["clientIP"], c["clientPort"])))
srv.on("messageReceive", lambda m: srv.send(m["data"].upper(), m["clientConnection"],
                                            lambda e, d: None))
srv.on("close", lambda c, r: print("server: close", r["code"]))
netstack.run(srv.start({"serverIP": "127.0.0.1", "serverPort": 28765}))
left = [2]


def client(name):
    c = webSocket.createWebSocket()
    c.on("open", lambda o: c.send("hi from " + name, lambda e, d: None))

    def got(m):
        print(name, "got", repr(m))
        c.close(None, lambda e, d: None)

    def closed(r):
        left[0] -= 1
        if not left[0]:
            srv.stop(lambda e, d: print("server stopped:", d))

    c.on("message", got)
    c.on("close", closed)
    netstack.run(c.connect("ws://127.0.0.1:28765/"))


client("client-1")
client("client-2")
netstack.run()
gc.collect()
print("\nheap free at the end:", gc.mem_free())
