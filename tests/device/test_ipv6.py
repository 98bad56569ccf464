# netns: isolated
# timeout: 60
# IPv6 literal URLs end to end on MicroPython: http://[::1]:port/... against a tiny server
# this script runs itself, inside a network namespace of its own (only loopback; nothing
# leaves it). The server records each request head so the test can check what went out.
import socket
import netstack
from netstack import http, BusinessError, _port
from netstack.transport import Conn

PORT = 18080  # the namespace is ours alone: a fixed port is free (MicroPython has no getsockname)
heads = []


async def serve(ls):
    while True:
        await _port.wait_readable(ls)
        s, _ = ls.accept()
        s.setblocking(False)
        _port.spawn(answer(Conn(s)))


async def answer(c):
    buf = bytearray(1024)
    for _ in range(8):  # bounded: keep-alive requests on this connection
        got = b""
        while b"\r\n\r\n" not in got:
            n = await c.readinto(buf)
            if not n:
                c.close()
                return
            got += bytes(buf[:n])
        heads.append(got.decode())
        body = b"v6 ok " + str(len(heads)).encode()
        await c.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


ai = socket.getaddrinfo("::1", PORT, 0, socket.SOCK_STREAM)[0]
ls = socket.socket(ai[0], socket.SOCK_STREAM)
ls.bind(ai[-1])
ls.listen(4)
ls.setblocking(False)
server = _port.spawn(serve(ls))

req = http.createHttp()
r = netstack.run(req.request("http://[::1]:%d/a?x=1#frag" % PORT))
assert r.responseCode == 200 and r.result == "v6 ok 1", (r.responseCode, r.result)
line, rest = heads[0].split("\r\n", 1)
assert line == "GET /a?x=1 HTTP/1.1", line  # no fragment, target as given
assert "\r\nhost: [::1]:%d\r\n" % PORT in "\r\n" + rest.lower(), heads[0]  # brackets and port kept
r = netstack.run(req.request("http://[::1]:%d/b" % PORT))  # the same connection, kept alive
assert r.result == "v6 ok 2" and heads[1].startswith("GET /b HTTP/1.1\r\n"), heads
req.destroy()

# an IPv6 literal nobody listens on: refused, not a DNS error
try:
    netstack.run(http.createHttp().request("http://[::1]:%d/" % (PORT + 1)))
    raise AssertionError("no error")
except BusinessError as e:
    assert e.code == 2300007, e
# a malformed literal is a bad URL
for bad in ("http://[::1/", "http://[::1]x/", "http://[fe80::1%eth0]/"):
    try:
        netstack.run(http.createHttp().request(bad))
        raise AssertionError("no error for " + bad)
    except BusinessError as e:
        assert e.code == 2300003, (bad, e)

server.cancel()
ls.close()
print("OK")
