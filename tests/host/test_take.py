# netstack._take.take on CPython: no uctypes, so a copy of buf[:n] (the device script
# tests/device/test_take.py checks MicroPython's no-copy hand-over).
from netstack._take import take


def test_take_copies_on_cpython():
    ba = bytearray(b"hello world!")
    b = take(ba, 5)
    ba[0] = 0
    assert type(b) is bytes and b == b"hello"
    assert take(bytearray(b"abc"), 3) == b"abc"
