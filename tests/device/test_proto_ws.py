# netstack.proto ws (with its mask and UTF-8 loops), wshs and wssrv (and wspmd's negotiation
# in the handshake; the rest of permessage-deflate is in test_proto_wspmd.py): one module for
# both runtimes. On MicroPython, tools/devtest.py runs it as a script (the main block at the
# end calls every test_*, then prints the heap cost of the imports and OK); on CPython,
# tests/host/test_proto_ws.py loads it and pytest collects the same test_* functions.
import gc

import netstack._err  # noqa: F401  the package and _err are not part of what is measured

gc.collect()
_free0 = gc.mem_free() if hasattr(gc, "mem_free") else 0
from netstack.proto import ws
from netstack.proto import RecvBuf
from netstack.proto.ws import mask, small, utf8

gc.collect()
_free1 = gc.mem_free() if hasattr(gc, "mem_free") else 0
from netstack.proto import http1, http1srv, wshs, wssrv, wspmd

KEY = b"\x37\xfa\x21\x3d"


def frame(op, payload, fin=True, key=None, rsv=0, raw_len=None):
    """One frame as bytes (key: masked with it); raw_len: a lying 7-bit length field."""
    hb = bytearray(14)
    n = ws.head(hb, op, len(payload), fin, key)
    hb[0] |= rsv
    if raw_len is not None:
        hb[1] = (hb[1] & 128) | raw_len
    out = bytearray(hb[:n])
    out.extend(payload)
    if key is not None:
        mask(out, n, len(out), key, 0)
    return out


def run(data, client=True, step=0, max_size=1 << 20, size=256, codec=None):
    """Feed data to a Parser step bytes at a time (0: as much as fits) -> (events, error
    code or None)."""
    p = ws.Parser(client, max_size, codec)
    rb = RecvBuf(size)
    out = []
    i = 0
    try:
        while True:
            while True:
                ev = p.next(rb)
                if ev is None:
                    break
                if ev[0] >= 0 or client:  # (a server's (-1, n): its session loads
                    out.append(ev)  # what the reply needs and calls next() again)
            if i >= len(data):
                return out, None
            room = len(rb.space())
            k = min(step or room, room, len(data) - i)
            rb.feed(data[i : i + k])
            i += k
    except ws.ProtocolError as e:
        return out, e.code


def both(data, client=True, **kw):
    """run() whole and 1 byte at a time: the two must agree."""
    a = run(data, client, 0, **kw)
    b = run(data, client, 1, **kw)
    assert a == b, (a, b)
    return a


def srv(op, payload, **kw):
    return frame(op, payload, key=KEY, **kw)  # a client's frame, as a server receives it


# ------------------------------------------------------------------ masking, UTF-8


def test_mask_matches_plain_xor():
    data = bytes(range(256)) * 3
    for a in (0, 1, 2, 3, 5):
        for b in (a, a + 1, a + 7, 600, 768):
            for k in range(4):
                buf = bytearray(data)
                mask(buf, a, b, KEY, k)
                want = bytearray(data)
                for i in range(a, b):
                    want[i] ^= KEY[(k + i - a) & 3]
                assert buf == want, (a, b, k)


def test_small_frame_unmask_and_ascii_check():
    # wsmask.small: a small frame's payload unmasked in place (key: the 4 bytes before it)
    # and checked for ASCII, for every alignment and tail length
    data = bytes(range(0, 250, 2))
    for off in (0, 1, 2, 3):
        for n in (0, 1, 3, 4, 5, 8, 63, 64, 125):
            for m in (0, 1):
                for hi in (None, 0, n - 1, n // 2):
                    pay = bytearray(b & 0x7F for b in data[:n])
                    if hi is not None and 0 <= hi < n:
                        pay[hi] |= 0x80
                    buf = bytearray(off) + (KEY if m else b"") + pay
                    a = off + 4 * m
                    if m:
                        mask(buf, a, a + n, KEY, 0)
                    r = small(buf, a, a + n, m)
                    assert buf[a:] == pay, (off, n, m)
                    assert bool(r) == (hi is not None and 0 <= hi < n), (off, n, m, hi, r)


VALID = ["", "abc", "\u00e9", "\u20ac", "\U0001f600", "\ud7ff", "\ue000", "\U0010ffff",
         "κόσμε", "a\u0080b\u07ff\u0800\uffff"]
INVALID = [b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xe0\x9f\xbf",
           b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf",
           b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xff", b"\xfe", b"\xc2\x41",
           b"\xe2\x82\x41", b"ab\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"]
INCOMPLETE = [b"\xc2", b"\xe2\x82", b"\xf0\x9f\x98", b"\xf4\x8f"]


def test_utf8_validator():
    for s in VALID:
        b = s.encode()
        assert utf8(b, 0, len(b), 0) == 0, s
        for cut in range(len(b) + 1):  # any split, state carried over
            st = utf8(b, 0, cut, 0)
            assert st >= 0, (s, cut)
            assert utf8(b, cut, len(b), st) == 0, (s, cut)
    for b in INVALID:
        assert utf8(b, 0, len(b), 0) == -1, b
        bad = False
        st = 0
        for i in range(len(b)):  # byte by byte it fails too, at the offending byte
            st = utf8(b, i, i + 1, st)
            if st < 0:
                bad = True
                break
        assert bad, b
    for b in INCOMPLETE:
        assert utf8(b, 0, len(b), 0) > 0, b


# ------------------------------------------------------------------ frames


def test_frame_header_writer():
    hb = bytearray(14)
    for n, hl in ((0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10), (1 << 40, 10)):
        assert ws.head(hb, ws.BINARY, n) == hl
        assert ws.head(hb, ws.BINARY, n, key=KEY) == hl + 4
        assert hb[hl : hl + 4] == KEY
    ws.head(hb, ws.TEXT, 70000, fin=False)
    assert hb[0] == 1 and hb[1] == 127 and hb[2:10] == b"\x00\x00\x00\x00\x00\x01\x11\x70"


def test_messages_both_roles():
    for client in (True, False):
        f = (lambda *a, **k: frame(*a, **k)) if client else srv
        data = (f(ws.TEXT, "héllo".encode()) + f(ws.BINARY, bytes(300)) + f(ws.PING, b"p")
                + f(ws.PONG, b"") + f(ws.TEXT, b"") + f(ws.BINARY, bytes(range(256)) * 8)
                + f(ws.CLOSE, b"\x03\xe8bye") + f(ws.TEXT, b"after close"))
        evs, err = both(data, client)
        assert err is None
        assert evs == [(ws.TEXT, "héllo"), (ws.BINARY, bytes(300)), (ws.PING, b"p"),
                       (ws.PONG, b""), (ws.TEXT, ""), (ws.BINARY, bytes(range(256)) * 8),
                       (ws.CLOSE, 1000, "bye")], evs


def test_fragments_with_control_frames_between():
    s = "κόσμε-\U0001f600".encode()
    data = (frame(ws.TEXT, s[:3], fin=False) + frame(ws.PING, b"1") + frame(ws.CONT, s[3:9], False)
            + frame(ws.PONG, b"2") + frame(ws.CONT, b"", False) + frame(ws.CONT, s[9:]))
    evs, err = both(data)
    assert err is None and evs == [(ws.PING, b"1"), (ws.PONG, b"2"), (ws.TEXT, s.decode())], evs
    evs, err = both(frame(ws.BINARY, b"ab", False) + frame(ws.CONT, b"cd", False)
                    + frame(ws.CONT, b"e"))
    assert evs == [(ws.BINARY, b"abcde")]


def test_close_payloads():
    assert both(frame(ws.CLOSE, b"")) == ([(ws.CLOSE, 1005, "")], None)
    for code in (1000, 1001, 1002, 1003, 1007, 1011, 3000, 3999, 4000, 4999):
        assert both(frame(ws.CLOSE, bytes((code >> 8, code & 255))))[0] == [(ws.CLOSE, code, "")]
    for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535):
        assert both(frame(ws.CLOSE, bytes((code >> 8, code & 255)))) == ([], 1002), code
    assert both(frame(ws.CLOSE, b"\x03"))[1] == 1002
    assert both(frame(ws.CLOSE, b"\x03\xe8\xce\xba\xe1\xbd\xb9\xed\xa0\x80"))[1] == 1007
    assert ws.close_payload(None) == b""
    p = ws.close_payload(1000, "é" * 100)  # cut to 125 bytes, at a character boundary
    assert len(p) == 124 and p[2:].decode() == "é" * 61
    assert ws.close_payload(4000, "a" * 200) == b"\x0f\xa0" + b"a" * 123


def test_protocol_errors():
    cases = [
        (frame(ws.TEXT, b"x", rsv=0x40), 1002),          # RSV1 without an extension
        (frame(ws.TEXT, b"x", rsv=0x20), 1002),
        (frame(ws.PING, b"x", rsv=0x10), 1002),
        (frame(3, b""), 1002), (frame(7, b""), 1002), (frame(11, b""), 1002),
        (frame(15, b""), 1002),
        (frame(ws.PING, b"x", fin=False), 1002),         # fragmented control frame
        (frame(ws.PING, bytes(126)), 1002),              # control frame over 125
        (frame(ws.CONT, b"x"), 1002),                    # continuation without a message
        (frame(ws.TEXT, b"a", False) + frame(ws.TEXT, b"b"), 1002),
        (frame(ws.BINARY, b"a", False) + frame(ws.BINARY, b"b"), 1002),
        (frame(ws.CONT, b"x", rsv=0x40), 1002),
        (b"\x82\x7e\x00\x05hello", 1002),                # 16-bit length that fits 7 bits
        (b"\x82\x7f\x00\x00\x00\x00\x00\x00\x00\x05hello", 1002),
        (b"\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 1002),  # top bit of 64-bit length
        (b"\x82\x7f\x40\x00\x00\x00\x00\x00\x00\x00", 1009),  # 2^62: over the limit at once
        (frame(ws.BINARY, bytes(2000)), 1009),           # over max_size (1000 below)
        (frame(ws.BINARY, bytes(600), False) + frame(ws.CONT, bytes(600)), 1009),
        (frame(ws.TEXT, b"\xff"), 1007),
        (frame(ws.TEXT, b"\xc2"), 1007),                 # ends inside a character
        (frame(ws.TEXT, b"\xce", False) + frame(ws.CONT, b"\xbaa\xed\xa0"), 1007),
        (frame(ws.BINARY, b"x", key=KEY), 1002),         # a masked frame from the server
    ]
    for data, code in cases:
        assert both(data, max_size=1000)[1] == code, (data, both(data, max_size=1000))
    assert both(frame(ws.BINARY, b"x"), client=False)[1] == 1002  # unmasked, at a server


def test_invalid_utf8_fails_fast():
    # the bad fragment is refused before the message ends (Autobahn 6.4.x)
    data = frame(ws.TEXT, "κόσμε".encode(), False) + frame(ws.CONT, b"\xf4\x90\x80\x80", False)
    assert both(data) == ([], 1007)


def test_direct_reads():
    # a large one-frame message read straight into the parser's message buffer
    payload = bytes(range(256)) * 16
    data = srv(ws.BINARY, payload)
    p = ws.Parser(False)
    rb = RecvBuf(64)
    rb.feed(data[:40])
    assert p.next(rb) == (-1, len(payload))  # (a server's session loads _ws_sessionx here)
    assert p.next(rb) is None and len(rb) == 0
    i = 40
    ev = None
    while ev is None:
        mv = p.direct()
        assert mv is not None
        k = min(len(mv), 1000, len(data) - i)
        mv[:k] = data[i : i + k]
        i += k
        ev = p.took(k)
    assert ev == (ws.BINARY, payload) and i == len(data)
    assert p.direct() is None


# ------------------------------------------------------------------ handshake


def test_accept_value_rfc_example():
    assert wshs.accept_value("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert len(wshs.client_key(bytes(16))) == 24


def _req_head(data):
    rb = RecvBuf(1024)
    rb.feed(data)
    return http1srv.parse_request_head(rb)


def _resp_head(data):
    rb = RecvBuf(1024)
    rb.feed(data)
    return http1.parse_response_head(rb)


def test_handshake_round_trip():
    key = wshs.client_key(b"0123456789abcdef")
    req = wshs.request("h:81", "/p?q=1", key, "chat, json", [("X-A", "1"), ("Upgrade", "no")],
                       wshs.deflate_offer())
    m, t, minor, hs = _req_head(req.encode())  # (a str: see wshs.request)
    assert (m, t, minor) == ("GET", "/p?q=1", 1) and http1.header(hs, "x-a") == "1"
    assert wshs.tokens(hs, "upgrade") == ["websocket"]
    k, protos, ext = wssrv.check_request(m, t, minor, hs)
    assert k == key and protos == ["chat", "json"]
    agreed = wspmd.accept_offer(ext)
    assert agreed is not None
    resp = wssrv.response(k, "json", agreed[0])
    st, reason, _, rhs = _resp_head(resp)
    assert (st, reason) == (101, "Switching Protocols")
    proto, rext = wshs.check_response(st, rhs, key, "chat, json")
    assert proto == "json" and wspmd.accept_response(rext) == (15, 15)
    assert "client_no_context_takeover" in wshs.deflate_offer()
    assert "server_max_window_bits=12" in wshs.deflate_offer(12)


def _err(fn, *a):
    try:
        fn(*a)
    except wshs.HandshakeError as e:
        return e.code
    raise AssertionError("no HandshakeError")


def test_handshake_refusals():
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    good = [("host", "h"), ("upgrade", "websocket"), ("connection", "keep-alive, Upgrade"),
            ("sec-websocket-key", key), ("sec-websocket-version", "13")]
    assert wssrv.check_request("GET", "/", 1, good)[0] == key

    def without(name, extra=()):
        return [(k, v) for k, v in good if k != name] + list(extra)

    assert _err(wssrv.check_request, "POST", "/", 1, good) == 400
    assert _err(wssrv.check_request, "GET", "/", 0, good) == 400
    assert _err(wssrv.check_request, "GET", "/", 1, without("host")) == 400
    assert _err(wssrv.check_request, "GET", "/", 1, without("upgrade")) == 426
    assert _err(wssrv.check_request, "GET", "/", 1, without("connection")) == 426
    assert _err(wssrv.check_request, "GET", "/", 1,
                without("sec-websocket-version", [("sec-websocket-version", "8")])) == 426
    for bad in ("", "abc", "dGhlIHNhbXBsZSBub25jZQ", "!!!!!!!!!!!!!!!!!!!!!!!!"):
        assert _err(wssrv.check_request, "GET", "/", 1,
                    without("sec-websocket-key", [("sec-websocket-key", bad)])) == 400, bad
    assert b"426 Upgrade Required" in wssrv.reject(426) and b"Version: 13" in wssrv.reject(426)
    assert wssrv.reject(431).startswith(b"HTTP/1.1 431 ")
    ok = [("upgrade", "WebSocket"), ("connection", "upgrade"),
          ("sec-websocket-accept", wshs.accept_value(key))]
    assert wshs.check_response(101, ok, key) == ("", "")
    assert _err(wshs.check_response, 200, ok, key) == 200
    assert _err(wshs.check_response, 101, ok[1:], key) == 101
    assert _err(wshs.check_response, 101, ok[:2] + [("sec-websocket-accept", "x")], key) == 101
    assert _err(wshs.check_response, 101, ok + [("sec-websocket-protocol", "x")], key) == 101


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
        gc.collect()
    print("import netstack.proto.ws (+its mask loops, buf): %d bytes of heap" % (_free0 - _free1))
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
