# timeout: 60
# A client's messages over 1010 B (_ws_sessionx.frame: masked through a temporary buffer of
# at most _BIG bytes, written as it fills) against CPython `websockets` echoing: the frame
# goes out in ceil((n + 14) / _BIG) writes (one where _BIG holds it: 1/16 of the free heap
# when the module loaded, 16 KiB at least), and the echo is the message whatever the pieces
# (the mask key's phase carried from one piece to the next, a character cut between them);
# where _BIG is over 16 KiB the session keeps the buffer for its next frames.
import netstack
from netstack import webSocket, _port, _ws_sessionx

C = CFG["ws_echo"]
CFG = None


def until(ev, n, names=("message", "close")):
    async def w():
        for _ in range(2000):
            if len([e for e in ev if e[0] in names]) >= n:
                return
            await _port.sleep_ms(5)
        raise AssertionError("no echo: %r" % ev)
    netstack.run(w())


ws = webSocket.createWebSocket()
ev = []
for name in ("open", "message", "close", "error"):
    ws.on(name, (lambda n: lambda *a: ev.append((n,) + a))(name))
assert netstack.run(ws.connect(C + "/echo", {"permessageDeflate": False})) is True
until(ev, 1, ("open",))
s = ws._s
c = s.c
writes = []
w = c.write


def counted(data, held=False):
    writes.append(len(data))
    return w(data, held)


c.write = counted  # (an instance attribute: frame()'s c.write finds it first)
big = _ws_sessionx._BIG
assert big >= 16384, big
text = "aé€😀" * 300  # 3,000 B of UTF-8: a character cut at most piece ends
cases = ((bytes(range(256)) * 20, 1 << 17, 1),  # 5,120 B: the whole frame in one write
         (text, 1 << 17, 1),                     # the buffer kept from the last (_BIG over
                                                 # 16 KiB), its first 3,008 B reused
         (bytes(range(256)) * 20, 2048, 3),     # 5,134 B of frame in 2,048 B writes
         (text, 1021, 3),                        # odd pieces: the key's phase moves
         (bytes(range(256)) * 5, 16384, 1))      # 1,280 B, the default bound
try:
    for i, (m, b, k) in enumerate(cases):
        _ws_sessionx._BIG = b
        del writes[:]
        assert netstack.run(ws.send(m)) is True
        until(ev, i + 1)
        got = [e[1] for e in ev if e[0] == "message"][i]
        assert got == m if type(m) is str else bytes(got) == m, (i, len(got))
        assert len(writes) == k, (i, writes)
        n = len(m.encode() if type(m) is str else m) + 8  # (header 4, key 4)
        assert sum(writes) == n and max(writes) <= b, (i, writes)
        if i < 2:  # a large heap's _BIG: the session keeps the buffer (5,134 B, the first)
            assert len(s.scratch) == 5134, (i, len(s.scratch))
finally:
    _ws_sessionx._BIG = big
    c.write = w
assert netstack.run(ws.close()) is True
until(ev, len(cases) + 1)
assert not [e for e in ev if e[0] == "error"], ev
print("frames over 1010 B: one write when _BIG holds them, else _BIG-sized writes; echoes exact")
print("OK")
