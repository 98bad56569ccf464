# Property tests for netstack.proto.http1 (hypothesis, bounded budget: whole file < 20 s).
# (1) junk and mutated responses raise only ProtoError and always finish;
# (2) generated valid responses round-trip, however the bytes are split;
# (3) any input gives the same result for every way of splitting it.
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netstack.proto import ProtoError
from netstack._clientx import http_error


def code_of(e):
    """The http code the engine reports for a ProtoError (proto/ itself has none)."""
    return http_error(e).code


from netstack.proto import http1, http1body, http1srv
from netstack.proto import RecvBuf

SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_CODES = (2300008, 2300018, 2300061)


def cut(data, points):
    """Split data at the given cut points (any ints; reduced modulo len+1)."""
    n = len(data)
    ps = sorted(set(p % (n + 1) for p in points))
    out = []
    i = 0
    for p in ps:
        out.append(data[i:p])
        i = p
    out.append(data[i:])
    return [p for p in out if p]


def drive(pieces, method="GET", size=1024, request=False):
    """Run a byte stream (given as pieces) through heads and bodies until EOF.
    -> (messages, outcome). Raises AssertionError if the parser stalls or runs too long."""
    rb = RecvBuf(size)
    msgs = []
    cur = [None, None, None]  # head, reader, body
    t0 = time.perf_counter()

    def pump():
        while True:
            assert time.perf_counter() - t0 < 2.0, "parser runs too long"
            if cur[1] is None:
                h = http1srv.parse_request_head(rb) if request else http1.parse_response_head(rb)
                if h is None:
                    return
                if request:
                    kind, n = http1srv.request_framing(h[3])
                else:
                    kind, n = http1body.response_framing(method, h[0], h[3])
                cur[0], cur[1], cur[2] = h, http1body.BodyReader(kind, n), bytearray()
            br = cur[1]
            before = len(rb)
            r = br.read(rb)
            if r is None:
                if br.done:
                    msgs.append(cur[0] + (bytes(cur[2]), list(br.trailers)))
                    cur[1] = None
                    continue
                return
            assert len(rb) < before  # progress
            cur[2] += rb.mv[r[0] : r[1]]

    try:
        for piece in pieces:
            while piece:
                room = len(rb.buf) - len(rb)
                assert room > 0, "full buffer and no error"
                rb.feed(piece[:room])
                piece = piece[room:]
                pump()
        if cur[1] is not None:
            cur[1].eof()
            pump()
            if cur[1] is not None and cur[1].done:
                msgs.append(cur[0] + (bytes(cur[2]), list(cur[1].trailers)))
    except ProtoError as e:
        assert code_of(e) in _CODES, e
        assert isinstance(e.message, str) and e.message
        return msgs, ("err", code_of(e), e.message)
    return msgs, ("rest", bytes(rb.mv[rb.start : rb.end]))


# ---------------------------------------------------------------- generators

_TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_RESERVED = ("content-length", "transfer-encoding")

names = st.text(alphabet=_TCHARS, min_size=1, max_size=12).filter(lambda n: n.lower() not in _RESERVED)
# field-content: visible ASCII, SP/HTAB inside, obs-text (stays valid utf-8 or latin-1)
value_bytes = st.binary(max_size=24).map(
    lambda b: bytes(c for c in b if c not in (0, 10, 13)).strip(b" \t")
)
header_lists = st.lists(st.tuples(names, value_bytes), max_size=8)
bodies = st.binary(max_size=600)


def dec(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("latin-1")


@st.composite
def responses(draw):
    """-> (wire bytes, expected message tuple, framing tag)."""
    status = draw(st.integers(200, 599).filter(lambda s: s not in (204, 304)))
    reason = draw(st.text(alphabet="abcXYZ -_", max_size=10))
    minor = 1
    hs = draw(header_lists)
    body = draw(bodies)
    eol = draw(st.sampled_from([b"\r\n", b"\n"]))
    framing = draw(st.sampled_from(["length", "chunked", "close"]))
    trailers = []
    extra = []
    if framing == "length":
        extra.append(("Content-Length", str(len(body)).encode()))
        enc = body
    elif framing == "close":
        minor = 0
        enc = body
    else:
        extra.append(("Transfer-Encoding", b"chunked"))
        cuts = draw(st.lists(st.integers(0, len(body)), max_size=6))
        enc = b""
        for piece in cut(body, cuts):
            size = b"%x" % len(piece)
            if draw(st.booleans()):
                size = size.upper()
            if draw(st.booleans()):
                size = b"0" * draw(st.integers(1, 3)) + size
            if draw(st.booleans()):
                size += b";" + draw(st.sampled_from([b"a", b"a=b", b'x="y z"', b" ;q"]))
            enc += size + eol + piece + eol
        enc += b"0" + eol
        trailers = draw(header_lists)
        for k, v in trailers:
            enc += k.encode() + b": " + v + eol
        enc += eol
    pos = draw(st.integers(0, len(hs)))
    allh = hs[:pos] + extra + hs[pos:]
    head = b"HTTP/1.%d %d %s" % (minor, status, reason.encode()) + eol
    for k, v in allh:
        head += k.encode() + b":" + draw(st.sampled_from([b"", b" ", b"\t "])) + v + eol
    head += eol
    want = (
        status,
        reason,
        minor,
        [(k.lower(), dec(v)) for k, v in allh],
        body,
        [(k.lower(), dec(v)) for k, v in trailers],
    )
    return head + enc, want, framing


splits = st.lists(st.integers(0, 10**6), max_size=12)


# ---------------------------------------------------------------- (1) junk never crashes


@SETTINGS
@given(st.binary(max_size=400), splits, st.booleans())
def test_random_bytes_only_business_errors(data, points, request):
    drive(cut(data, points), request=request, size=256)


@SETTINGS
@given(st.binary(max_size=300), splits)
def test_random_bytes_after_valid_head(data, points):
    for head in (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n",
    ):
        drive(cut(head + data, points), size=128)


_INTERESTING = b"\r\n: ;0aF\x00\t\xff,-"


@st.composite
def mutated(draw):
    wire, _, _ = draw(responses())
    b = bytearray(wire)
    # half of the mutations land after the head, where the body framing is
    ends = [e for e in (wire.find(b"\n\n"), wire.find(b"\n\r\n")) if e > 0]
    body_at = min(ends) if ends else 0
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.integers(0, 3))
        lo = draw(st.sampled_from([0, min(body_at, len(b))]))
        i = draw(st.integers(lo, len(b)))
        if op == 0 and i < len(b):
            b[i] = draw(st.sampled_from(_INTERESTING))
        elif op == 1:
            b[i:i] = bytes([draw(st.sampled_from(_INTERESTING))])
        elif op == 2:
            del b[i : i + draw(st.integers(1, 8))]
        else:
            j = draw(st.integers(i, min(len(b), i + 16)))
            b[i:i] = b[i:j]
    return bytes(b)


@SETTINGS
@given(mutated(), splits)
def test_mutated_responses_only_business_errors_and_split_invariant(data, points):
    whole = drive([data], size=512)
    assert drive(cut(data, points), size=512) == whole


# ---------------------------------------------------------------- (2) round trip


@SETTINGS
@given(responses(), splits)
def test_valid_responses_round_trip(resp, points):
    wire, want, framing = resp
    msgs, out = drive(cut(wire, points), size=1024)
    assert out == ("rest", b""), out
    assert msgs == [want]


@SETTINGS
@given(responses(), responses(), splits)
def test_keepalive_pairs_round_trip(r1, r2, points):
    if r1[2] == "close":  # a close-delimited body takes everything after it
        return
    msgs, out = drive(cut(r1[0] + r2[0], points), size=1024)
    assert out == ("rest", b""), out
    assert msgs == [r1[1], r2[1]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses())
def test_valid_responses_one_byte_feeds(resp):
    wire, want, _ = resp
    msgs, out = drive([wire[i : i + 1] for i in range(len(wire))], size=1024)
    assert out == ("rest", b"") and msgs == [want]


# ---------------------------------------------------------------- (3) split invariance


@SETTINGS
@given(st.one_of(st.binary(max_size=300), mutated(), responses().map(lambda r: r[0])), splits, splits)
def test_split_points_do_not_change_result(data, p1, p2):
    a = drive(cut(data, p1), size=200)
    b = drive(cut(data, p2), size=200)
    assert a == b
