# permessage-deflate's inflate in place (proto.wspmd): a server's compressed message of one
# frame inflated in its own buffer. Apart from wspmd, loaded at the server's handshake
# (accept_offer; not amid a message's blocks: its objects would cut the heap's top).
import gc
import io
import deflate
from .ws import ProtocolError
from .._take import resize, take, view

_TAIL = b"\x00\x00\xff\xff\x03\x00"  # (wspmd's: a compressed message's end)


def _count(src, limit, wb):
    # the first pass: -> (the inflated size t, bounded by the limit, D: how far the output
    # got ahead of the input read, at most); the output dropped
    d = deflate.DeflateIO(src, deflate.RAW, wb)
    c = bytearray(256)  # (D is known to this much)
    t = dd = 0
    try:
        while True:
            i = src.tell()
            k = d.readinto(c)
            if not k:
                d = c = None  # (its window and state: garbage for the second pass's)
                return t, dd
            t += k
            if t > limit:
                raise ProtocolError(1009, "message over %d bytes when decompressed" % limit)
            if t - i > dd:
                dd = t - i
    except (OSError, ValueError, EOFError) as e:
        raise ProtocolError(1007, "bad compressed data: %s" % e)


def _out(src, wb, t):
    # the message in src inflated into a bytes object of its own, of its size t (one read(t)
    # in place)
    try:
        return deflate.DeflateIO(src, deflate.RAW, wb).read(t)
    except (OSError, ValueError, EOFError) as e:
        raise ProtocolError(1007, "bad compressed data: %s" % e)


def in_place(m, c, limit, wb, text):
    # m[:c], a message in one buffer, inflated in place: counted (t, and D: how far the
    # output runs ahead of the input read) through a bytes view of it with the tail; its
    # block grown to D + its size + a margin (in place where the blocks after it are free:
    # it was made or grown last, at the heap's top), the compressed bytes moved to its end,
    # the output written from its head and never past the input read (D bounds output -
    # input at every point of the stream, so also in the second pass), the block then cut
    # to the output (its tail freed). So a message costs one block of c + D + the margin
    # (>= t; for most data about t), the window and the inflater's ~1.4 KB; not c + t and
    # a copy of c
    e = c + 6
    resize(m, e)
    m[c:] = _TAIL
    t, dd = _count(io.BytesIO(view(m, 0, e)), limit, wb)
    if not t:
        return b"" if text else bytearray()
    if e >= 1024:  # (the first pass's window and state, which may lie just after m;
        gc.collect()  # a smaller one is moved if need be: ~37 us a collection on x64)
    s = dd + 128  # where the compressed bytes go (the margin: the bit reader's lookahead,
    # and pieces of output of 128 B or more in the second pass)
    try:
        resize(m, s + e + 1)
    except MemoryError:  # no room where it lies nor elsewhere: the output beside it (c + t)
        return _out(io.BytesIO(view(m, 0, e)), wb, t)
    mv = memoryview(m)
    j = e
    while j:  # back to front, in pieces that do not overlap
        k = min(j, s)
        mv[s + j - k : s + j] = mv[j - k : j]
        j -= k
    src = io.BytesIO(view(m, s, e))
    d = deflate.DeflateIO(src, deflate.RAW, wb)
    o = 0
    try:
        while o < t:
            k = d.readinto(mv[o : min(t, s + src.tell())])
            if not k:
                raise ValueError("stream shorter than counted")
            o += k
    except (OSError, ValueError, EOFError) as e:
        raise ProtocolError(1007, "bad compressed data: %s" % e)
    mv = src = d = None
    if text:  # its bytes, sharing the block (the byte after it the C string's end), which
        resize(m, t + 1)  # its str shares
        return take(m, t)
    resize(m, t)
    return m
