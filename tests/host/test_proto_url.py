# Host tests for netstack.proto.url (CPython).
import pytest

from netstack.proto import ProtoError
from netstack._clientx import http_error


def code_of(e):
    """The http code the engine reports for a ProtoError (proto/ itself has none)."""
    return http_error(e).code


from netstack.proto import url


@pytest.mark.parametrize(
    "u,want",
    [
        ("http://example.com", ("http", "example.com", 80, "/", None)),
        ("http://example.com/", ("http", "example.com", 80, "/", None)),
        ("https://Example.COM/a/B?x=Y", ("https", "example.com", 443, "/a/B?x=Y", None)),
        ("HTTPS://h", ("https", "h", 443, "/", None)),
        ("ws://h/chat", ("ws", "h", 80, "/chat", None)),
        ("wss://h:8443/chat", ("wss", "h", 8443, "/chat", None)),
        ("http://h:8080", ("http", "h", 8080, "/", None)),
        ("http://h:", ("http", "h", 80, "/", None)),
        ("http://h:0/", ("http", "h", 0, "/", None)),
        ("http://h:65535/", ("http", "h", 65535, "/", None)),
        ("http://h:00080/", ("http", "h", 80, "/", None)),
        ("http://h?q=1", ("http", "h", 80, "/?q=1", None)),
        ("http://h/p?q=1#frag", ("http", "h", 80, "/p?q=1", None)),
        ("http://h#frag", ("http", "h", 80, "/", None)),
        ("http://h/p#f?x", ("http", "h", 80, "/p", None)),
        ("http://user:pw@h:81/p", ("http", "h", 81, "/p", "user:pw")),
        ("http://a@b@h/p", ("http", "h", 80, "/p", "a@b")),
        ("http://@h/", ("http", "h", 80, "/", "")),
        ("http://[::1]/", ("http", "::1", 80, "/", None)),
        ("http://[::1]:8080/x", ("http", "::1", 8080, "/x", None)),
        ("https://[2001:DB8::A]", ("https", "2001:db8::a", 443, "/", None)),
        ("http://[::ffff:1.2.3.4]:1/", ("http", "::ffff:1.2.3.4", 1, "/", None)),
        ("http://u@[::1]:2/", ("http", "::1", 2, "/", "u")),
        ("http://192.168.4.1/", ("http", "192.168.4.1", 80, "/", None)),
        ("http://h/a%20b?c=%C3%A9", ("http", "h", 80, "/a%20b?c=%C3%A9", None)),
        ("http://h/caf\u00e9", ("http", "h", 80, "/caf\u00e9", None)),
    ],
)
def test_split_ok(u, want):
    assert url.split(u) == want


@pytest.mark.parametrize(
    "u,code",
    [
        ("ftp://h/", 2300001),
        ("file:///etc/passwd", 2300001),
        ("gopher://h", 2300001),
        ("h://x", 2300001),
        (None, 2300003),
        (b"http://h/", 2300003),
        (42, 2300003),
        ("", 2300003),
        ("example.com/path", 2300003),
        ("http:/h", 2300003),
        ("http:h", 2300003),
        ("://h", 2300003),
        ("http://", 2300003),
        ("http:///p", 2300003),
        ("http://:80/", 2300003),
        ("http://u@/p", 2300003),
        ("http://h:x/", 2300003),
        ("http://h:-1/", 2300003),
        ("http://h:+80/", 2300003),
        ("http://h:65536/", 2300003),
        ("http://h:123456/", 2300003),
        ("http://h:80:80/", 2300003),
        ("http://h: 80/", 2300003),
        ("http://h /", 2300003),
        ("http://h/a b", 2300003),
        ("http://h/a\tb", 2300003),
        ("http://h/\r\nX: y", 2300003),
        ("http://h/\x00", 2300003),
        ("http://h/\x7f", 2300003),
        (" http://h/", 2300003),
        ("http://[::1/", 2300003),
        ("http://[]/", 2300003),
        ("http://[1.2.3.4]/", 2300003),
        ("http://[::1]x/", 2300003),
        ("http://[::g]/", 2300003),
        ("http://[::1%25eth0]/", 2300003),
        ("http://a]b/", 2300003),
        ("http://::1/", 2300003),
    ],
)
def test_split_bad(u, code):
    with pytest.raises(ProtoError) as e:
        url.split(u)
    assert code_of(e.value) == code
    assert e.value.message


def test_split_messages():
    for u, frag in (
        ("ftp://h", "unsupported scheme 'ftp'"),
        ("h", "missing '://'"),
        ("http://h:99999/", "bad port"),
        ("http:///", "empty host"),
        ("http://h/ x", "space or control"),
        ("http://[zz]/", "IPv6"),
    ):
        with pytest.raises(ProtoError) as e:
            url.split(u)
        assert frag in e.value.message


@pytest.mark.parametrize(
    "args,want",
    [
        (("h", 80, "http"), "h"),
        (("h", 443, "https"), "h"),
        (("h", 443, "http"), "h:443"),
        (("h", 8080, "http"), "h:8080"),
        (("h", 80, "ws"), "h"),
        (("h", 443, "wss"), "h"),
        (("h", 80, "wss"), "h:80"),
        (("::1", 80, "http"), "[::1]"),
        (("::1", 8080, "http"), "[::1]:8080"),
        (("1.2.3.4", 81, "http"), "1.2.3.4:81"),
    ],
)
def test_host_header(args, want):
    assert url.host_header(*args) == want


def test_host_header_from_split():
    s, h, p, t, u = url.split("https://[::1]:8443/x")
    assert url.host_header(h, p, s) == "[::1]:8443"


@pytest.mark.parametrize(
    "args,want",
    [
        (("",), ""),
        (("abcXYZ019-._~",), "abcXYZ019-._~"),
        (("a b",), "a%20b"),
        (("a/b?c=d&e#f",), "a%2Fb%3Fc%3Dd%26e%23f"),
        (("a/b c", "/"), "a/b%20c"),
        (("a/b:c@d", "/:@"), "a/b:c@d"),
        (("caf\u00e9",), "caf%C3%A9"),
        (("\u4e2d",), "%E4%B8%AD"),
        (("+%",), "%2B%25"),
        (("\x00\x7f\n",), "%00%7F%0A"),
        ((b"\xff\x01a",), "%FF%01a"),
        (("\u00e9", "\u00e9"), "%C3%A9"),  # safe only covers ASCII
        (("`{}[]|^\\\"'<>",), "%60%7B%7D%5B%5D%7C%5E%5C%22%27%3C%3E"),
    ],
)
def test_quote(args, want):
    assert url.quote(*args) == want


def test_quote_all_bytes_round_trip():
    from urllib.parse import quote as cquote, unquote_to_bytes

    data = bytes(range(256))
    q = url.quote(data)
    assert unquote_to_bytes(q) == data
    assert q == cquote(data, safe="")
    s = "a b/c~d\u00e9"
    assert url.quote(s, "/") == cquote(s, safe="/")


def test_quote_bad_type():
    with pytest.raises(ProtoError) as e:
        url.quote(5)
    assert code_of(e.value) == 401


def test_urlencode():
    assert url.urlencode([]) == ""
    assert url.urlencode([("a", "1"), ("b", "x y")]) == "a=1&b=x%20y"
    assert url.urlencode([("k&=", "v&=?")]) == "k%26%3D=v%26%3D%3F"
    assert url.urlencode([("n", 5), ("f", 1.5)]) == "n=5&f=1.5"
    assert url.urlencode({"a": "\u00e9", "b": ""}) == "a=%C3%A9&b="
    assert url.urlencode([("a", "1"), ("a", "2")]) == "a=1&a=2"


BASE = "http://a/b/c/d;p?q"


@pytest.mark.parametrize(
    "loc,want",
    [
        # RFC 3986 §5.4.1 (fragments dropped)
        ("g:h", "g:h"),
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q"),
        ("g#s", "http://a/b/c/g"),
        ("g?y#s", "http://a/b/c/g?y"),
        (";x", "http://a/b/c/;x"),
        ("g;x", "http://a/b/c/g;x"),
        ("g;x?y#s", "http://a/b/c/g;x?y"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../", "http://a/"),
        ("../../g", "http://a/g"),
        # RFC 3986 §5.4.2
        ("../../../g", "http://a/g"),
        ("../../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."),
        (".g", "http://a/b/c/.g"),
        ("g..", "http://a/b/c/g.."),
        ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"),
        ("./g/.", "http://a/b/c/g/"),
        ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"),
        ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
        ("g;x=1/../y", "http://a/b/c/y"),
        ("g?y/./x", "http://a/b/c/g?y/./x"),
        ("g?y/../x", "http://a/b/c/g?y/../x"),
        ("g#s/./x", "http://a/b/c/g"),
        ("g#s/../x", "http://a/b/c/g"),
        ("http:g", "http:g"),
    ],
)
def test_join_rfc3986(loc, want):
    assert url.join(BASE, loc) == want


@pytest.mark.parametrize(
    "base,loc,want",
    [
        ("http://h", "p", "http://h/p"),
        ("http://h", "?q", "http://h/?q"),
        ("http://h?x", "?q", "http://h/?q"),
        ("http://h:81/a/b", "/c", "http://h:81/c"),
        ("http://u:p@h/a", "/c", "http://u:p@h/c"),
        ("https://h/a/b", "//o.example:8443/z", "https://o.example:8443/z"),
        ("https://h/a/b", "HTTP://Other/x#f", "HTTP://Other/x"),
        ("https://h/a/b#frag", "c", "https://h/a/c"),
        ("https://h/a/b#frag", "", "https://h/a/b"),
        ("http://h/relative-redirect/3", "/relative-redirect/2", "http://h/relative-redirect/2"),
        ("http://h/a/b/", "c", "http://h/a/b/c"),
        ("http://[::1]:8/a/b", "c?x=1", "http://[::1]:8/a/c?x=1"),
        ("http://h/a", "  /b  ", "http://h/b"),
    ],
)
def test_join_more(base, loc, want):
    assert url.join(base, loc) == want


def test_join_bad():
    with pytest.raises(ProtoError) as e:
        url.join("nope", "p")
    assert code_of(e.value) == 2300003
    with pytest.raises(ProtoError) as e:
        url.join("http://h/", None)
    assert code_of(e.value) == 2300003


@pytest.mark.parametrize(
    "u,q,want",
    [
        ("http://h/p", "a=1", "http://h/p?a=1"),
        ("http://h/p?x=1", "a=1", "http://h/p?x=1&a=1"),
        ("http://h/p?", "a=1", "http://h/p?a=1"),
        ("http://h/p?x=1&", "a=1", "http://h/p?x=1&a=1"),
        ("http://h/p", "?a=1", "http://h/p?a=1"),
        ("http://h/p?x", "&a=1", "http://h/p?x&a=1"),
        ("http://h/p", "", "http://h/p"),
        ("http://h/p", "?", "http://h/p"),
        ("http://h/p#frag", "a=1", "http://h/p?a=1#frag"),
        ("http://h/p?x#f?g", "a=1", "http://h/p?x&a=1#f?g"),
        ("http://h", "a=1", "http://h?a=1"),
    ],
)
def test_add_query(u, q, want):
    got = url.add_query(u, q)
    assert got == want
    if q.strip("?&"):
        assert url.split(got)[3].endswith(q.lstrip("?&"))
