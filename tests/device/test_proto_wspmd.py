# netstack.proto.wspmd (permessage-deflate, RFC 7692): negotiation, inflate (a bomb -> 1009,
# bad data -> 1007), stored blocks both ways. One module for both runtimes, like
# test_proto_ws.py (apart from it: that script runs at the edge of the 110k heap):
# tools/devtest.py runs it on MicroPython, tests/host/test_proto_wspmd.py under pytest.
import gc

from netstack.proto import ws, wspmd
from netstack.proto import RecvBuf
from netstack.proto.ws import mask


def frame(op, payload, fin=True, key=None, rsv=0):
    """One frame as bytes (key: masked with it)."""
    hb = bytearray(14)
    n = ws.head(hb, op, len(payload), fin, key)
    hb[0] |= rsv
    out = bytearray(hb[:n])
    out.extend(payload)
    if key is not None:
        mask(out, n, len(out), key, 0)
    return out


def run(data, step=0, max_size=1 << 20, codec=None):
    """Feed data to a client's Parser step bytes at a time (0: as much as fits) ->
    (events, error code or None)."""
    p = ws.Parser(True, max_size, codec)
    rb = RecvBuf(256)
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


def both(data, **kw):
    """run() whole and 1 byte at a time: the two must agree."""
    a = run(data, 0, **kw)
    b = run(data, 1, **kw)
    assert a == b, (a, b)
    return a


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
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
