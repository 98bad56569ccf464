# netstack._take.take: a bytearray's memory handed over as bytes, no copy (the large-message
# read-ins' last step). The bytes must behave as any bytes (==, hash, dict keys, str of it,
# slices) and live as long as it is referenced: the heap's collector must keep its data (the
# bytearray's old buffer) through collections and free it with the bytes. On MicroPython it
# must not copy (the heap does not grow by the message); elsewhere a copy.
import gc
import sys

from netstack._take import take

MPY = sys.implementation.name == "micropython"


def test_small_bytes_behave_as_bytes():
    for n in (0, 1, 5, 11):
        ba = bytearray(b"hello world!")
        b = take(ba, n)
        ba = None
        want = b"hello world!"[:n]
        assert type(b) is bytes and len(b) == n and b == want and want == b
        assert hash(b) == hash(want) and {want: 1}[b] == 1 and {b: 2}[want] == 2
        assert b[:3] == want[:3] and b + b"!" == want + b"!" and b.find(b"o") == want.find(b"o")
        s = str(b, "utf-8")
        assert s == want.decode() and hash(s) == hash(want.decode()) and {want.decode(): 3}[s] == 3


def test_a_whole_buffer_is_copied():
    # no byte past n (its C string end): taken as a copy, the bytearray left as it was
    ba = bytearray(b"abc")
    b = take(ba, 3)
    assert b == b"abc"
    ba[0] = 0x41
    assert b == b"abc"


def test_large_is_not_copied_and_survives_collections():
    n = 40000
    gc.collect()
    f0 = gc.mem_free()
    ba = bytearray(n + 1)
    for i in range(0, n, 97):
        ba[i] = 65 + i % 26
    f1 = gc.mem_free()
    b = take(ba, n)
    if MPY:  # the heap holds the message once (ba still referenced): no copy was made
        assert gc.mem_free() >= f1 - 2048, (f0, f1, gc.mem_free())
    ba = None
    junk = [bytearray(64) for i in range(300)]  # churn: the freed blocks reused around it
    junk = None
    gc.collect()
    assert len(b) == n and all(b[i] == 65 + i % 26 for i in range(0, n, 97)) and b[1] == 0
    s = str(b, "ascii")
    assert len(s) == n and s[97] == chr(65 + 97 % 26)
    b = s = None
    gc.collect()
    if MPY:  # and freed with it
        assert gc.mem_free() >= f0 - 2048, (f0, gc.mem_free())


def _main():
    names = sorted(n for n in globals() if n.startswith("test_"))
    for n in names:
        globals()[n]()
    print("%d tests" % len(names))
    print("OK")


if __name__ == "__main__":
    _main()
