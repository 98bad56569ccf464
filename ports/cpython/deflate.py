# CPython shim for MicroPython's `deflate` module over zlib: decompression, and compression
# (write/close) as on firmware built with MICROPY_PY_DEFLATE_COMPRESS.
import zlib

AUTO = 0
RAW = 1
ZLIB = 2
GZIP = 3
_WBITS = {RAW: -15, ZLIB: 15, GZIP: 31, AUTO: 47}


class DeflateIO:
    def __init__(self, stream, format=AUTO, wbits=0, close=False):
        self._s = stream
        w = _WBITS[format]
        if wbits and format != AUTO:  # the window size asked for, with the format's sign/offset
            w = (-wbits if format == RAW else wbits + (16 if format == GZIP else 0))
        self._w = w
        self._d = zlib.decompressobj(w)
        self._c = None       # compressor, made on the first write
        self._in = b""       # compressed bytes not yet given to zlib
        self._out = b""      # decompressed bytes not yet handed out
        self._close = close

    def readinto(self, buf):
        while not self._out:
            if self._d.eof:
                return 0
            if not self._in:
                self._in = self._s.read(512)
                if not self._in:
                    raise OSError(22, "truncated deflate stream")
            try:
                self._out = self._d.decompress(self._in, 4096)  # bounded output per step
            except zlib.error as e:
                raise OSError(22, str(e))
            self._in = self._d.unconsumed_tail
            if self._d.eof and self._d.unused_data and hasattr(self._s, "seek"):
                # MicroPython's reads the stream a byte at a time: it ends where the
                # stream's data does, and the stream's position tells what follows
                self._s.seek(-len(self._d.unused_data), 1)
        n = min(len(buf), len(self._out))
        buf[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def read(self, n=-1):
        out = bytearray()
        b = bytearray(4096)
        while n < 0 or len(out) < n:
            k = self.readinto(memoryview(b)[: 4096 if n < 0 else min(4096, n - len(out))])
            if not k:
                break
            out += b[:k]
        return bytes(out)

    def write(self, data):
        # compression, as firmware built with MICROPY_PY_DEFLATE_COMPRESS has it
        if self._c is None:
            self._c = zlib.compressobj(6, zlib.DEFLATED, self._w if self._w != 47 else 15)
        self._s.write(self._c.compress(bytes(data)))
        return len(data)

    def close(self):
        if self._c is not None:
            self._s.write(self._c.flush())
            self._c = None
        if self._close and hasattr(self._s, "close"):
            self._s.close()
