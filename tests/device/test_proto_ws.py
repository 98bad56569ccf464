# netstack.proto ws/wsmask/wshs/wspmd: one module for both runtimes. On MicroPython,
# tools/devtest.py runs it as a script (the main block at the end calls every test_*, then
# prints the heap cost of the imports and OK); on CPython, tests/host/test_proto_ws.py
# loads it and pytest collects the same test_* functions.
import gc

import netstack._err  # noqa: F401  the package and _err are not part of what is measured

gc.collect()
_free0 = gc.mem_free() if hasattr(gc, "mem_free") else 0
from netstack.proto import ws
from netstack.proto import RecvBuf
from netstack.proto.wsmask import mask, utf8

gc.collect()
_free1 = gc.mem_free() if hasattr(gc, "mem_free") else 0
from netstack.proto import http1, http1srv, wshs, wspmd

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
                out.append(ev)
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
                       wspmd.offer())
    m, t, minor, hs = _req_head(req)
    assert (m, t, minor) == ("GET", "/p?q=1", 1) and http1.header(hs, "x-a") == "1"
    assert http1.tokens(hs, "upgrade") == ["websocket"]
    k, protos, ext = wshs.check_request(m, t, minor, hs)
    assert k == key and protos == ["chat", "json"]
    agreed = wspmd.accept_offer(ext)
    assert agreed is not None
    resp = wshs.response(k, "json", agreed[0])
    st, reason, _, rhs = _resp_head(resp)
    assert (st, reason) == (101, "Switching Protocols")
    proto, rext = wshs.check_response(st, rhs, key, "chat, json")
    assert proto == "json" and wspmd.accept_response(rext) == (15, 15)
    assert "client_no_context_takeover" in wspmd.offer()


def _err(fn, *a):
    try:
        fn(*a)
    except wshs.HandshakeError as e:
        return e.status
    raise AssertionError("no HandshakeError")


def test_handshake_refusals():
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    good = [("host", "h"), ("upgrade", "websocket"), ("connection", "keep-alive, Upgrade"),
            ("sec-websocket-key", key), ("sec-websocket-version", "13")]
    assert wshs.check_request("GET", "/", 1, good)[0] == key

    def without(name, extra=()):
        return [(k, v) for k, v in good if k != name] + list(extra)

    assert _err(wshs.check_request, "POST", "/", 1, good) == 400
    assert _err(wshs.check_request, "GET", "/", 0, good) == 400
    assert _err(wshs.check_request, "GET", "/", 1, without("host")) == 400
    assert _err(wshs.check_request, "GET", "/", 1, without("upgrade")) == 426
    assert _err(wshs.check_request, "GET", "/", 1, without("connection")) == 426
    assert _err(wshs.check_request, "GET", "/", 1,
                without("sec-websocket-version", [("sec-websocket-version", "8")])) == 426
    for bad in ("", "abc", "dGhlIHNhbXBsZSBub25jZQ", "!!!!!!!!!!!!!!!!!!!!!!!!"):
        assert _err(wshs.check_request, "GET", "/", 1,
                    without("sec-websocket-key", [("sec-websocket-key", bad)])) == 400, bad
    assert b"426 Upgrade Required" in wshs.reject(426) and b"Version: 13" in wshs.reject(426)
    assert wshs.reject(431).startswith(b"HTTP/1.1 431 ")
    ok = [("upgrade", "WebSocket"), ("connection", "upgrade"),
          ("sec-websocket-accept", wshs.accept_value(key))]
    assert wshs.check_response(101, ok, key) == ("", "")
    assert _err(wshs.check_response, 200, ok, key) == 200
    assert _err(wshs.check_response, 101, ok[1:], key) == 101
    assert _err(wshs.check_response, 101, ok[:2] + [("sec-websocket-accept", "x")], key) == 101
    assert _err(wshs.check_response, 101, ok + [("sec-websocket-protocol", "x")], key) == 101


# ------------------------------------------------------------------ permessage-deflate

HELLO_Z = (b"\xf2H\xcd\xc9\xc9\xd7Q(H-\xcaM-.NLO\xd5MIM\xcbI,IUT\xf0\x18\x95\x1a\x95\x1a"
           b"\x95\x1a\x95\xc2&\x05\x00")
HELLO = b"Hello, permessage-deflate! " * 40
BOMB_Z = b"\xec\xc11\x01\x00\x00\x00\xc2\xa0\xf5Om\x06\x7f\xa0" + bytes(193) + b"\x80\xd7\x00"


def test_pmd_negotiation():
    assert wspmd.parse("a; x=1; y, b;z=\"2\"") == [("a", {"x": "1", "y": None}), ("b", {"z": "2"})]
    assert wspmd.parse("a; x; x") is None
    ao = wspmd.accept_offer
    assert ao("x-foo, permessage-deflate; client_max_window_bits")[1:] == (15, 15)
    assert ao("permessage-deflate; client_max_window_bits", 10)[1:] == (10, 15)
    assert "client_max_window_bits=10" in ao("permessage-deflate; client_max_window_bits", 10)[0]
    assert ao("permessage-deflate", 10) is None        # the client's window would be too big
    assert ao("permessage-deflate; server_max_window_bits=7") is None
    assert ao("permessage-deflate; foo") is None
    assert ao("permessage-deflate; foo, permessage-deflate")[1:] == (15, 15)
    assert "server_max_window_bits=9" in ao("permessage-deflate; server_max_window_bits=9")[0]
    ar = wspmd.accept_response
    assert ar("") is None
    assert ar("permessage-deflate; server_no_context_takeover; client_max_window_bits=9") == (15, 0)
    assert ar("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
              "client_max_window_bits=9") == (15, 9)
    assert ar("permessage-deflate; server_no_context_takeover; server_max_window_bits=10; "
              "client_no_context_takeover", 12) == (10, 15)
    assert "server_max_window_bits=12" in wspmd.offer(12)
    for bad in ("x-foo", "permessage-deflate", "permessage-deflate; server_no_context_takeover; z",
                "permessage-deflate; server_no_context_takeover; server_max_window_bits=16",
                "permessage-deflate; server_no_context_takeover, permessage-deflate"):
        try:
            ar(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_pmd_messages():
    c = wspmd.Codec(9, 15)  # these streams reach back less than 512 bytes: a board-sized window
    # a compressed frame, one compressed message in two fragments, then a plain one
    data = (frame(ws.TEXT, HELLO_Z, rsv=0x40) + frame(ws.BINARY, HELLO_Z[:5], False, rsv=0x40)
            + frame(ws.CONT, HELLO_Z[5:]) + frame(ws.BINARY, b"plain"))
    evs, err = both(data, codec=c)
    assert err is None and evs == [(ws.TEXT, HELLO.decode()), (ws.BINARY, HELLO),
                                   (ws.BINARY, b"plain")], evs
    assert both(frame(ws.BINARY, BOMB_Z, rsv=0x40), codec=c, max_size=8000) == ([], 1009)
    assert both(frame(ws.BINARY, b"\xff\xff\xff", rsv=0x40), codec=c)[1] == 1007
    if c.compress:  # firmware (or the CPython shim) with compression: round trip
        z = c.deflate(HELLO)
        assert len(z) < len(HELLO) // 4
        assert both(frame(ws.BINARY, z, rsv=0x40), codec=c)[0] == [(ws.BINARY, HELLO)]


def test_pmd_stored_blocks():
    # no compressor (or a peer that keeps its window): stored blocks, RSV1 on the first frame
    c = wspmd.Codec(9, 0)
    assert not c.compress
    blk = wspmd.BLOCK
    wspmd.BLOCK = 16  # blocks (and frames) of 16 bytes here, so that one message spans three
    try:
        for msg in (HELLO[:40], b"", HELLO[:16]):
            mv = memoryview(msg)
            data = bytearray()
            payload = bytearray()
            off = 0
            while True:
                parts, e = c.stored(mv, off)
                p = b"".join(bytes(x) for x in parts)
                payload.extend(p)
                data.extend(frame(ws.BINARY if not off else ws.CONT, p, e == len(msg),
                                  rsv=0x40 if not off else 0))
                if e == len(msg):
                    break
                off = e
            assert both(data, codec=c) == ([(ws.BINARY, msg)], None), msg
            # real deflate data too: DeflateIO reads it (the receiver's 00 00 ff ff appended)
            d = wspmd.deflate.DeflateIO(wspmd.io.BytesIO(payload + wspmd._TAIL), wspmd.deflate.RAW)
            assert d.read() == msg
    finally:
        wspmd.BLOCK = blk
    # a stored text message, and a compressed one after it
    evs, err = both(frame(ws.TEXT, b"\x00\x03\x00\xfc\xffabc\x00", rsv=0x40)
                    + frame(ws.TEXT, HELLO_Z, rsv=0x40), codec=c)
    assert err is None and evs == [(ws.TEXT, "abc"), (ws.TEXT, HELLO.decode())], evs
    # a lying LEN/NLEN pair is not taken as stored: DeflateIO finds it bad -> 1007
    assert both(frame(ws.BINARY, b"\x00\x03\x00\xfc\xfeabc\x00", rsv=0x40), codec=c)[1] == 1007


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
        gc.collect()
    print("import netstack.proto.ws (+wsmask, buf): %d bytes of heap" % (_free0 - _free1))
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
