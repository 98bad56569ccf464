# permessage-deflate (RFC 7692): negotiation for both roles (the client's offer is
# wshs.deflate_offer: a client loads this module only when a server agreed), and per-message inflate and
# deflate with MicroPython's `deflate` module. Loaded only when offered or agreed.
# Incoming messages are always asked to be compressed without context takeover, so each
# decompresses on its own (no window kept between messages: less RAM, and DeflateIO cannot
# resume a stream). Outgoing messages are compressed where the firmware's DeflateIO can
# write and the peer resets its window per message; elsewhere they go out as stored
# (BTYPE 00) deflate blocks: valid permessage-deflate data that needs no compressor (a
# peer may take every message with RSV1 once the extension is agreed; some insist).
import io
import deflate
from .ws import ProtocolError

NAME = "permessage-deflate"
# Where the sender's deflate ends a message, this tail makes the stream complete:
# the stripped 00 00 ff ff of the empty stored block, then an empty final block.
_TAIL = b"\x00\x00\xff\xff\x03\x00"
# data bytes per stored block: with its 5-byte header one frame of 64 KiB (a block <= 65535)
BLOCK = 65531


def can_compress():
    return hasattr(deflate.DeflateIO, "write")


def parse(value):
    """'a; x=1, b' -> [('a', {'x': '1'}), ('b', {})]; None for a malformed list
    (a parameter twice, or an empty name)."""
    out = []
    for ext in value.split(","):
        parts = ext.split(";")
        name = parts[0].strip().lower()
        if not name:
            if len(parts) == 1 and not ext.strip():
                continue
            return None
        ps = {}
        for p in parts[1:]:
            k, eq, v = p.partition("=")
            k = k.strip().lower()
            v = v.strip()
            if len(v) > 1 and v[0] == '"' and v[-1] == '"':
                v = v[1:-1]
            if not k or k in ps:
                return None
            ps[k] = v if eq else None
        out.append((name, ps))
    return out


def _bits(v, absent):
    # a *_max_window_bits value -> 8..15, or -1 when malformed
    if v is None:
        return absent
    if len(v) > 2 or not v.isdigit():
        return -1
    n = int(v)
    return n if 8 <= n <= 15 else -1


def accept_response(value, window=15):
    """The client's check of the server's Sec-WebSocket-Extensions -> None (not agreed) or
    (inflate bits, deflate bits); deflate bits 0: send uncompressed. Raises ValueError for an answer the offer did not allow."""
    if not value:
        return None
    exts = parse(value)
    if exts is None or len(exts) != 1 or exts[0][0] != NAME:
        raise ValueError("extension not offered: " + value[:60])
    ps = exts[0][1]
    inf = defl = 15
    for k, v in ps.items():
        if k == "server_no_context_takeover" and v is None:
            continue
        if k == "client_no_context_takeover" and v is None:
            continue
        if k == "server_max_window_bits":
            inf = _bits(v, -1)
            if inf < 0 or inf > window:
                raise ValueError("bad server_max_window_bits")
        elif k == "client_max_window_bits":
            defl = _bits(v, -1)
            if defl < 0:
                raise ValueError("bad client_max_window_bits")
        else:
            raise ValueError("unknown permessage-deflate parameter " + k[:30])
    if "server_no_context_takeover" not in ps:
        raise ValueError("server_no_context_takeover was asked for and not agreed")
    if "client_no_context_takeover" not in ps:
        defl = 0  # the server keeps its window: our one-shot streams would break it; no compression
    return (window if window < 15 and "server_max_window_bits" not in ps else inf, defl)


def accept_offer(value, window=15):
    """The server's choice among a client's offers -> None or (response value, inflate
    bits, deflate bits). window: the largest window this side can inflate with."""
    from . import wspmdz  # noqa: F401 (loaded at the handshake, not amid a message's blocks)
    exts = parse(value) if value else None
    for name, ps in exts or ():
        if name != NAME:
            continue
        ok = True
        cbits = 15  # the window the client deflates with unless we may ask for less
        sbits = 15
        for k, v in ps.items():
            if k in ("server_no_context_takeover", "client_no_context_takeover"):
                ok = ok and v is None
            elif k == "server_max_window_bits":
                sbits = _bits(v, -1)
                ok = ok and sbits > 0
            elif k == "client_max_window_bits":
                ok = ok and _bits(v, 15) > 0
                if ok:
                    cbits = min(window, _bits(v, 15))
            else:
                ok = False
        if not ok:
            continue
        if "client_max_window_bits" not in ps and window < 15:
            continue  # the client would deflate with a window too large for this side
        # this side compresses each message on its own, or not at all: no window to keep
        resp = NAME + "; server_no_context_takeover; client_no_context_takeover"
        if "client_max_window_bits" in ps:
            resp += "; client_max_window_bits=%d" % cbits
        if "server_max_window_bits" in ps:
            resp += "; server_max_window_bits=%d" % sbits
        return resp, cbits, sbits
    return None


def _unstore(m):
    """m: a message of stored deflate blocks only, each non-final and the last followed by
    the tail byte 00 (or final) -> True, with the data moved together in m (the 5-byte
    block heads and the tail cut out: memmoves, no copy of the message). Anything else
    (compressed blocks, or not a plain sequence) -> False, m untouched."""
    n = len(m)
    i = 0
    while True:
        if i >= n:
            return False
        b = m[i]
        if i + 1 == n and not b:
            break  # the tail: an empty stored block without its 00 00 ff ff
        if b > 1 or i + 5 > n or m[i + 1] ^ m[i + 3] != 255 or m[i + 2] ^ m[i + 4] != 255:
            return False
        i += 5 + (m[i + 1] | m[i + 2] << 8)
        if b:
            if i != n:
                return False
            break
    o = 0
    while o < len(m):
        if o + 1 == len(m):
            m[o:] = b""
            break
        k = m[o + 1] | m[o + 2] << 8
        m[o : o + 5] = b""
        o += k
    return True


class Codec:
    """Per-message inflate (always) and deflate (where the firmware can)."""

    def __init__(self, inflate_bits, deflate_bits):
        self.ib = inflate_bits
        self.db = deflate_bits
        # deflate_bits 0: the peer keeps its window between messages, which one-shot
        # DeflateIO streams (ending in a final block) would break; zlib's raw deflate has
        # no 8-bit window. Both: stored blocks.
        self.compress = can_compress() and deflate_bits >= 9

    def inflate(self, p, n, limit, text=False):
        """Decompress the message p.msg[:n] (p: the Parser, whose msg, a bytearray, this
        takes and may change) -> a bytearray of at most `limit` bytes (text: bytes, or the
        message's bytearray); more -> ProtocolError 1009, bad data -> 1007."""
        m = p.msg
        p.msg = None
        if len(m) > n:
            m[n:] = b""
        if _unstore(m):
            return m  # stored blocks only (as this side sends them): no inflater, no copy
        if not p.client:  # a server's: in place (wspmdz)
            from .wspmdz import in_place
            return in_place(m, n, limit, self.ib, text)
        # (a client's under its read-in's sizes, _ws_big) DeflateIO reads a copy with the
        # tail (a BytesIO copies a bytearray; on MicroPython written into an empty one it
        # is one block with room for the tail), and the message's buffer is free before the
        # output is made: the peak is the compressed bytes twice, or once + the output; not
        # twice + the output
        src = io.BytesIO()
        src.write(m)
        src.write(_TAIL)
        src.seek(0)
        m = None
        # two passes: the size first (bounded by the limit, output dropped), then into a
        # buffer of exactly that size. Twice the inflating, but no buffer growing by
        # reallocation, whose holes fragment a small heap until a large message no longer fits
        d = deflate.DeflateIO(src, deflate.RAW, self.ib)
        c = bytearray(512)
        t = 0
        try:
            while True:
                k = d.readinto(c)
                if not k:
                    break
                t += k
                if t > limit:
                    raise ProtocolError(1009, "message over %d bytes when decompressed" % limit)
            c = d = None
            src.seek(0)
            d = deflate.DeflateIO(src, deflate.RAW, self.ib)
            if text:
                # the stream's read(t) makes one bytes object in place (the same inflate as
                # the first pass: t bytes), and a str of a bytes shares its data on
                # MicroPython: the text is held once, not as its bytes and then its str
                return d.read(t)
            out = bytearray(t)
            mv = memoryview(out)
            k = 0
            while k < t:
                r = d.readinto(mv[k:])
                if not r:
                    break
                k += r
        except (OSError, ValueError, EOFError) as e:
            raise ProtocolError(1007, "bad compressed data: %s" % e)
        return out

    def stored(self, mv, off):
        """mv[off:] (a memoryview of the message) as stored blocks -> (the payload parts of
        one frame: a block of up to BLOCK bytes, end offset). The block is not final, so a
        peer keeping its window goes on with the next message; after the last block comes
        the first byte of an empty stored block whose 00 00 ff ff the receiver appends
        (RFC 7692 §7.2.1). An empty message is that byte alone."""
        n = len(mv)
        if not n:
            return (b"\x00",), 0
        e = min(n, off + BLOCK)
        k = e - off
        h = bytes((0, k & 255, k >> 8, 255 - (k & 255), 255 - (k >> 8)))
        return ((h, mv[off:e], b"\x00") if e == n else (h, mv[off:e])), e

    def deflate(self, data):
        """Compressed payload for one message (bytes)."""
        b = io.BytesIO()
        d = deflate.DeflateIO(b, deflate.RAW, self.db)
        d.write(data)
        d.close()
        # a stream that ends in a final block: an empty stored block's first byte after it
        # makes the 00 00 ff ff the receiver appends complete (RFC 7692 §7.2.3.5)
        return b.getvalue() + b"\x00"
