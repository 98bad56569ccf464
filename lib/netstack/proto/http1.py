# Sans-I/O HTTP/1.1 (RFC 9112), the side a client needs: the response head parser, the
# request head writer and header tokens. Body framing (no body / Content-Length / chunked /
# until close: NONE LENGTH CHUNKED CLOSE, response_framing, BodyReader) is in http1body, so
# a WebSocket handshake, which only needs heads, does not load it. The request parser and
# the response writer (servers only) are in http1srv.
# No I/O here. The caller reads into a RecvBuf and hands it over; heads come back as small
# tuples, body pieces as (start, end) offsets into rb.buf, never as copies.
# Lines are cut with find and index arithmetic. No `re`: its two compiled patterns were
# ~320 B of a GET's heap (bench/ram.py), and a name is checked once (_KNOWN, _NAMES).
# Bare LF is accepted wherever CRLF is expected (RFC 9112 §2.2 lets a recipient do so).
from micropython import const

from . import ProtoError

# ProtoError kinds: proto's numbers (proto/__init__.py), repeated as consts so that they
# compile in here instead of being 7 more globals of this module (RAM even from ROMFS)
_BAD = const(1)
_TOO_BIG = const(2)
_FRAMING = const(3)
_CUT = const(4)
_USAGE = const(5)
_URL = const(6)
_SCHEME = const(7)

MAX_HEADERS = 64  # header lines per head, also trailer lines; read at call time, so tunable

# token chars (RFC 9110 §5.6.2) -> the char lowercased, anything else -> 0. Indexed by byte < 128.
_TOK = (
    b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    b"\x00!\x00#$%&'\x00\x00*+\x00-.\x000123456789\x00\x00\x00\x00\x00\x00"
    b"\x00abcdefghijklmnopqrstuvwxyz\x00\x00\x00^_`abcdefghijklmnopqrstuvwxyz\x00|\x00~\x00"
)


# Errors carry a message number (proto/msgs.py, loaded only when one is raised) and its
# argument; the text follows each raise as a comment.
def _bad(n, arg=None):
    return ProtoError(_BAD, n, 400, arg)


def _big(n, arg=None):
    return ProtoError(_TOO_BIG, n, 431, arg)


def _dec(mv, a, b):
    # Values and reasons: UTF-8 when the bytes are valid UTF-8 (what OpenHarmony hands to
    # JS), otherwise each byte becomes U+0000..U+00FF (ISO-8859-1, as CPython's http.client
    # does). So an odd byte never fails the parse and no byte is lost. MicroPython's
    # str(b, 'latin-1') decodes UTF-8 whatever the name says, hence the chr() fallback
    # (rare path). Ports built without MICROPY_PY_BUILTINS_STR_UNICODE_CHECK skip the check.
    v = _utf8(mv[a:b])
    return "".join([chr(c) for c in mv[a:b]]) if v is None else v


# Hot functions here keep their frames within 11 words (locals + stack + 3 per try):
# MicroPython allocates a bigger frame on the heap and frees it after every call, which
# cost ~20k instructions a call at a 2 MB heap (the allocator's search). Hence small
# functions, `while` instead of `for` (a for's iterator takes 4 words) and tries of their own.
def _utf8(b):  # -> str, or None when b is not UTF-8
    try:
        return str(b, "utf-8")
    except UnicodeError:
        return None


def _head_end(rb):
    # Index just past the blank line that ends a head, or -1: the first LF followed by LF
    # or by CR LF, found with two finds in C (a per-line loop cost ~3k instructions a line).
    # Resumes at rb.scan: no blank line starts before it, so 1-byte feeds do not rescan.
    e = rb.end
    i = rb.start + rb.scan
    p = rb.buf.find(b"\n\r\n", i, e)
    q = rb.buf.find(b"\n\n", i, e if p < 0 else p + 2)  # p + 2: "\n\n\r\n" ends at the first
    if q >= 0:
        return q + 2
    if p >= 0:
        return p + 3
    i = e - rb.start - 2  # a blank line may start in the last two bytes
    rb.scan = i if i > 0 else 0
    return -1


def _eol(buf, a, p):
    # end of the line [a, p) without its CR
    if p > a and buf[p - 1] == 13:
        return p - 1
    return p


def _hline(l, clean=False):
    # one header/trailer line (bytes) -> (lowercase name, value without surrounding blanks).
    # clean: the head was checked as a whole (CRLF line ends only, no other CR, no NUL).
    if not clean and l[-1:] == b"\r":
        l = l[:-1]
    c = l[0] if l else 0
    if c == 32 or c == 9:
        raise _bad(0)  # obsolete line folding
    k = l.find(58)  # ":" (a byte as an int: no bytes constant, ~40 B of heap)
    if k < 0:
        raise _bad(1)  # header line without ':'
    if k == 0:
        raise _bad(2)  # empty header name
    c = l[k - 1]
    if c == 32 or c == 9:
        raise _bad(3)  # whitespace before ':' in header name
    raw = l[:k]
    name = _KNOWN.get(raw)
    if name is None:
        for o in raw:  # (bytes: ints, where a str's chars would each be interned)
            if o > 127 or not _TOK[o]:
                if o == 32 or o == 9:
                    raise _bad(48)  # whitespace in header name
                if o == 0 or o == 13:
                    raise _bad(49)  # NUL/CR in header name
                raise _bad(50) if o > 127 else _bad(51, o)  # non-ASCII / invalid char 0x%02x
        name = raw.lower().decode()
        if len(_KNOWN) < 32 and len(raw) <= 32:  # bounded: a hostile server's names too
            _KNOWN[raw] = name
    # the value as one new str made from a view of the line: no copies of a big value
    # (a 6 KB Set-Cookie) on the way, so a head needs little more heap than its own size
    a = k + 1
    b = len(l)
    if not clean and (l.find(b"\r", a) >= 0 or l.find(0, a) >= 0):
        raise _bad(4)  # NUL/CR in header value
    while a < b and (l[a] == 32 or l[a] == 9):
        a += 1
    while b > a and (l[b - 1] == 32 or l[b - 1] == 9):
        b -= 1
    return (name, _dec(memoryview(l), a, b))


_KNOWN = {}  # header names as received -> checked and lowercased (a server repeats them)


def _fields(blk, mx):
    # header lines of blk (the head's bytes after the start line, up to and with the blank
    # line) -> [(name, value)]. A head with CRLF line ends only and no other CR or NUL (the
    # usual one) is checked as a whole, in C, and its lines whose name was seen before
    # (_KNOWN: checked, lowercased) are parsed by _known without a call per line.
    ls = blk.split(b"\r\n")
    n = len(ls) - 1  # CR LFs
    clean = n == blk.count(b"\n") and n == blk.count(b"\r") and blk.find(0) < 0  # (find: `0 in blk` iterates in Python)
    if not clean:
        ls = blk.split(b"\n")
    blk = None  # the lines are copies: the block can go while they are parsed
    if len(ls) - 2 > mx:
        raise _big(5, mx)  # too many header lines (>%d)
    ls.pop()  # the blank line leaves [b'' or b'\r', b''] at the end
    ls.pop()
    if not clean:
        return [_hline(l) for l in ls]
    return _known(ls)


def _known(ls):
    # clean lines, in place -> (name, value): known names here, the others by _hline
    j = len(ls)
    while j:  # (backwards: each line is on its own, and len() is called once)
        j -= 1
        l = ls[j]
        k = l.find(58)  # ":" (a byte as an int: no bytes constant, ~40 B of heap)
        n = _KNOWN.get(l[:k]) if k > 0 else None
        # OWS around the value: spaces and tabs only (no CR, LF, NUL: clean)
        v = None if n is None else _utf8(l[k + 1:].strip(b" \t"))
        ls[j] = (n, v) if v is not None else _hline(l, True)  # a new name, a bad line,
    return ls                                                 # a value not UTF-8


def _need(rb, what):
    if len(rb) >= len(rb.buf):
        raise _big(6, (what, len(rb.buf)))  # %s head larger than %d bytes
    return None


def parse_response_head(rb, max_headers=None):
    """-> None (need more bytes) or (status, reason, minor, headers); the head is consumed.
    headers: [(lowercase name, value)] in order, duplicates kept. Raises ProtoError."""
    h = _head_end(rb)
    if h < 0:
        return _need(rb, "response")
    p = rb.buf.find(b"\n", rb.start, h)
    c = _status_line(rb, p)  # status * 2 + minor, checked
    hs = _fields(bytes(rb.mv[p + 1:h]), MAX_HEADERS if max_headers is None else max_headers)
    c = (c >> 1, _reason(rb, p), c & 1, hs)
    rb.consume(h - rb.start)
    return c


def _status_line(rb, p):
    # 'HTTP/1.x SSS' then ' reason' (may be empty) or nothing, up to the LF at p (p > start:
    # the head ends past it) -> status * 2 + x, checked (written out: calls cost)
    s = rb.start
    e = p - 1 if rb.buf[p - 1] == 13 else p  # (_eol)
    m = rb.buf[s + 7] - 48 if e - s >= 12 and rb.buf.find(b"HTTP/1.", s, s + 7) == s else -1
    if not 0 <= m <= 1 or rb.buf[s + 8] != 32 or (e > s + 12 and rb.buf[s + 12] != 32):
        raise _bad(7)  # bad status line
    return _code(rb.buf, s, e) * 2 + m


def _reason(rb, p):
    s = rb.start
    e = p - 1 if rb.buf[p - 1] == 13 else p
    if e == s + 15 and rb.buf[s + 13] == 79 and rb.buf[s + 14] == 75:
        return "OK"  # the usual one, without a new str
    return _dec(rb.mv, s + 13, e) if e > s + 13 else ""


def _code(buf, s, e):
    a, b, c = buf[s + 9] - 48, buf[s + 10] - 48, buf[s + 11] - 48
    if not (0 < a <= 9 and 0 <= b <= 9 and 0 <= c <= 9):
        raise _bad(8)  # bad status code
    if buf.find(0, s, e) >= 0 or buf.find(b"\r", s, e) >= 0:
        raise _bad(9)  # NUL/CR in status line
    return a * 100 + b * 10 + c


def header(headers, name, default=None):
    """First value of a lowercase header name."""
    for k, v in headers:
        if k == name:
            return v
    return default


def has_token(headers, name, token):
    """True when one of the comma-separated tokens of the lowercase header `name` (in any
    of its lines) is `token` (lowercase), case-insensitively: `Connection: close, foo`
    has 'close', `Connection: keep-alive, Upgrade` has 'upgrade'."""
    i = len(headers)
    while i:  # (backwards: len() once)
        i -= 1
        k, v = headers[i]
        if k == name:
            if len(v) == len(token) and v.lower() == token:  # the usual one-token line
                return True
            if "," in v and _in_list(v, token):  # (values come stripped)
                return True
    return False


def _in_list(v, token):
    for t in v.split(","):
        if t.strip().lower() == token:
            return True
    return False


def has_ctl(s):
    """True when str s holds a space, a control char or DEL (not allowed in a URL or
    request target)."""
    s = s.encode()  # (scanned in C, as ints: iterating a str interns each char)
    return len(s) > 0 and (min(s) <= 32 or 127 in s)


_NAMES = set()  # header names and methods already checked (bounded below)


def _name_ok(k, what):
    if type(k) is not str or k not in _NAMES:
        if not isinstance(k, str) or not k:
            raise ProtoError(_USAGE, 45, None, what)  # bad <what>
        for o in k.encode():
            if o > 127 or not _TOK[o]:
                for ch in k:  # (an error: which char)
                    if ord(ch) > 127 or not _TOK[ord(ch)]:
                        raise ProtoError(_USAGE, 25, None, (ch, what))  # bad char %r in %s
        if len(_NAMES) < 64 and len(k) <= 32:
            _NAMES.add(k)


def _head(first, headers):
    # Values may be str or int; str is sent UTF-8 encoded. CR/LF/NUL -> USAGE (injection).
    # One join: every new str costs MicroPython an intern-table lookup. first: the pieces
    # of the first line (a list, extended here; checked by the caller). The values are
    # checked together, in C, on the joined text: it holds exactly the CRLFs put in here.
    out = first
    m = len(out)
    names = _NAMES
    for k, v in headers:
        if type(k) is not str or k not in names:
            _name_ok(k, "header name")
        if type(v) is not str:
            if not isinstance(v, int):
                raise ProtoError(_USAGE, 46, None, k)  # bad header value for <k>
            v = str(v)
        out += ("\r\n", k, ": ", v)
    out.append("\r\n\r\n")
    n = (len(out) - m) // 4 + 2
    t = "".join(out)
    if t.count("\n") != n or t.count("\r") != n or "\x00" in t:
        for i in range(m + 3, len(out), 4):  # out[m:]: ("\r\n", name, ": ", value)...
            v = out[i]
            if "\r" in v or "\n" in v or "\x00" in v:
                raise ProtoError(_USAGE, 47, None, out[i - 2])  # CR/LF/NUL in header <k>
    return t.encode()


def request_head(method, target, headers):
    """-> b'METHOD target HTTP/1.1\\r\\n' + 'name: value\\r\\n'... + b'\\r\\n'."""
    _name_ok(method, "method")
    if not isinstance(target, str) or not target:
        raise ProtoError(_USAGE, 26)  # bad request target
    if has_ctl(target):
        raise ProtoError(_USAGE, 27)  # space/CR/LF/NUL in request target
    return _head([method, " ", target, " HTTP/1.1"], headers)


# --- URLs: what a request needs (proto.url re-exports these as url.split, url.host_header) ---

_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _ubad(n):  # a URL error (message number: proto/msgs.py)
    return ProtoError(_URL, n, 400)


def split_url(url):
    """-> (scheme, host, port, target, userinfo). host is lowercased, an IPv6 literal comes
    without brackets; target is path+query ('/' when empty), fragment dropped; userinfo is
    None without '@' and stays percent-encoded."""
    if not isinstance(url, str):
        raise _ubad(28)  # URL must be a str
    if has_ctl(url):
        raise _ubad(29)  # space or control char in URL
    i = url.find("://")
    if i <= 0:
        raise _ubad(30)  # missing '://' in URL
    scheme = url[:i].lower()
    port = _PORTS.get(scheme)
    if port is None:
        raise ProtoError(_SCHEME, 31, 400, scheme[:16])  # unsupported scheme '%s'
    a = i + 3
    n = len(url)
    b = n  # the authority ends at the first '/', '?' or '#'
    for c in "/?#":
        k = url.find(c, a, b)
        if k >= 0:
            b = k
    auth = url[a:b]
    user = None
    k = auth.rfind("@")
    if k >= 0:
        user = auth[:k]
        auth = auth[k + 1 :]
    if auth and auth[0] == "[":
        k = auth.find("]")
        host = auth[1:k]
        rest = auth[k + 1 :]
        if k < 0 or ":" not in host or (rest and rest[0] != ":"):
            raise _ubad(32)  # bad IPv6 literal in URL
        for ch in host:
            if ch not in "0123456789abcdefABCDEF:.":
                raise _ubad(32)  # bad IPv6 literal in URL
    else:
        k = auth.find(":")
        host = auth if k < 0 else auth[:k]
        rest = "" if k < 0 else auth[k:]
        if "[" in host or "]" in host:
            raise _ubad(33)  # bad host in URL
    if not host:
        raise _ubad(34)  # empty host in URL
    if len(rest) > 1:  # 'host:' alone means the default port (RFC 3986 §3.2.3)
        p = rest[1:]
        if len(p) > 5:
            raise _ubad(35)  # bad port in URL
        for ch in p.encode():  # (ints: a str's chars would each be interned)
            if ch < 48 or ch > 57:
                raise _ubad(35)  # bad port in URL
        port = int(p)
        if port > 65535:
            raise _ubad(35)  # bad port in URL
    k = url.find("#", b)
    t = url[b:] if k < 0 else url[b:k]
    if not t or t[0] == "?":
        t = "/" + t
    return (scheme, host.lower(), port, t, user)


def host_header(host, port, scheme):
    """Host header value: 'host', 'host:port' when not the scheme's default, '[v6]'."""
    if ":" in host:
        host = "[" + host + "]"
    if port != _PORTS.get(scheme):
        return "%s:%d" % (host, port)
    return host
