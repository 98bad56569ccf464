# proto/socks5.py, byte by byte: builders give RFC 1928/1929 bytes, parsers wait for
# whole messages (None) and name what is wrong (Socks5Error kinds).
import pytest
from netstack.proto import socks5 as S


def test_greeting_and_method():
    assert S.greeting(False) == b"\x05\x01\x00"
    assert S.greeting(True) == b"\x05\x02\x00\x02"
    assert S.parse_method(b"") is None and S.parse_method(b"\x05") is None
    assert S.parse_method(b"\x05\x00") == S.NO_AUTH
    assert S.parse_method(b"\x05\x02") == S.USER_PASS
    with pytest.raises(S.Socks5Error) as ei:
        S.parse_method(b"\x05\xff")
    assert ei.value.kind == S.METHOD
    with pytest.raises(S.Socks5Error) as ei:
        S.parse_method(b"\x04\x00")
    assert ei.value.kind == S.DECODE


def test_auth():
    assert S.auth_request("u", "pw") == b"\x01\x01u\x02pw"
    for u, p in (("", "x"), ("a" * 256, "x"), ("u", "p" * 256)):
        with pytest.raises(S.Socks5Error) as ei:
            S.auth_request(u, p)
        assert ei.value.kind == S.ENCODE
    assert S.parse_auth(b"\x01") is None
    assert S.parse_auth(b"\x01\x00") is True
    with pytest.raises(S.Socks5Error) as ei:
        S.parse_auth(b"\x01\x01")
    assert ei.value.kind == S.AUTH


def test_requests_every_address_type():
    assert S.request(S.CONNECT, "127.0.0.1", 80) == b"\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50"
    assert S.request(S.UDP_ASSOCIATE, "0.0.0.0", 0) == b"\x05\x03\x00\x01\x00\x00\x00\x00\x00\x00"
    assert S.request(S.CONNECT, "::1", 443) == b"\x05\x01\x00\x04" + b"\x00" * 15 + b"\x01\x01\xbb"
    assert S.request(S.CONNECT, "fe80::1:2", 1)[4:20] == bytes.fromhex("fe800000000000000000000000010002")
    assert S.request(S.CONNECT, "example.org", 8080) == b"\x05\x01\x00\x03\x0bexample.org\x1f\x90"
    # not IP literals: sent as names (ATYP 3)
    for name in ("1.2.3.256", "1.2.3", "-1.2.3.4", "1:2:3:4:5:6:7:8::", "1::2::3", "-1::",
                 "12345::", "1:2:3:4:5:6:7:8:9", "g::1"):
        assert S.request(S.CONNECT, name, 1)[3] == 3, name
    assert S.request(S.CONNECT, "::", 1)[3:20] == b"\x04" + bytes(16)
    with pytest.raises(S.Socks5Error) as ei:
        S.request(S.CONNECT, "a" * 256, 1)
    assert ei.value.kind == S.ENCODE


def test_reply_incremental_and_errors():
    whole = b"\x05\x00\x00\x01\x7f\x00\x00\x01\x1f\x90"
    for i in range(len(whole)):
        assert S.parse_reply(whole[:i]) is None
    assert S.parse_reply(whole + b"xx") == ("127.0.0.1", 8080, 10)
    name = b"\x05\x00\x00\x03\x04host\x00\x01"
    assert S.parse_reply(name) == ("host", 1, len(name))
    six = b"\x05\x00\x00\x04" + bytes(15) + b"\x01\x00\x02"
    assert S.parse_reply(six) == ("0:0:0:0:0:0:0:1", 2, 22)
    with pytest.raises(S.Socks5Error) as ei:
        S.parse_reply(b"\x05\x05\x00\x01" + bytes(6))
    assert ei.value.kind == S.REPLY and ei.value.status == 5
    for bad in (b"\x04\x00\x00\x01" + bytes(6), b"\x05\x00\x01\x01" + bytes(6),
                b"\x05\x00\x00\x09" + bytes(6)):
        with pytest.raises(S.Socks5Error) as ei:
            S.parse_reply(bad)
        assert ei.value.kind == S.DECODE


def test_reply_size_reads_no_byte_past_the_reply():
    # read up to reply_size(what is there) each time: the reply whole, never a byte of what
    # the target sends after it
    for whole in (b"\x05\x00\x00\x01\x7f\x00\x00\x01\x1f\x90",
                  b"\x05\x00\x00\x03\x04host\x00\x01",
                  b"\x05\x00\x00\x03\x00\x00\x01",
                  b"\x05\x00\x00\x04" + bytes(15) + b"\x01\x00\x02",
                  b"\x05\x00\x00\x03\xff" + b"h" * 255 + b"\x00\x01"):
        stream = whole + b"220 banner"
        b = b""
        while S.parse_reply(b) is None:
            n = S.reply_size(b)
            assert len(b) < n <= S.REPLY_MAX
            b = stream[:n]
        assert b == whole
    assert S.reply_size(b"") == 5 and S.reply_size(b"\x05\x00\x00\x09\x00") == 5


def test_udp_header_round_trip():
    h = S.udp_header("127.0.0.1", 53)
    assert h == b"\x00\x00\x00\x01\x7f\x00\x00\x01\x00\x35"
    assert S.parse_udp(h + b"payload") == ("127.0.0.1", 53, len(h))
    assert S.parse_udp(b"\x00\x00\x01\x01" + bytes(6)) is None  # a fragment: dropped
    for bad in (b"\x01\x00\x00\x01" + bytes(6), b"\x00\x00\x00\x01\x00"):
        with pytest.raises(S.Socks5Error):
            S.parse_udp(bad)
