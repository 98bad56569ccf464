# CPython shim for MicroPython's `deflate` module (decompression side), over zlib.
import zlib

AUTO = 0
RAW = 1
ZLIB = 2
GZIP = 3
_WBITS = {RAW: -15, ZLIB: 15, GZIP: 31, AUTO: 47}


class DeflateIO:
    def __init__(self, stream, format=AUTO, wbits=0, close=False):
        self._s = stream
        self._d = zlib.decompressobj(_WBITS[format])
        self._pending = b""
        self._close = close

    def readinto(self, buf):
        while not self._pending:
            if self._d.eof:
                return 0
            raw = self._s.read(512)
            if not raw:
                self._pending = self._d.flush()
                if not self._pending:
                    if not self._d.eof:
                        raise OSError(22, "truncated deflate stream")
                    return 0
                break
            try:
                self._pending = self._d.decompress(raw, 4096)
                while self._d.unconsumed_tail and not self._pending:
                    self._pending = self._d.decompress(self._d.unconsumed_tail, 4096)
                if self._d.unconsumed_tail:
                    self._s = _Prepend(self._d.unconsumed_tail, self._s)
            except zlib.error as e:
                raise OSError(22, str(e))
        n = min(len(buf), len(self._pending))
        buf[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def read(self, n=-1):
        out = bytearray()
        b = bytearray(4096 if n < 0 else n)
        while n < 0 or len(out) < n:
            k = self.readinto(memoryview(b)[: (4096 if n < 0 else n - len(out))])
            if not k:
                break
            out += b[:k]
        return bytes(out)

    def close(self):
        if self._close and hasattr(self._s, "close"):
            self._s.close()


class _Prepend:
    def __init__(self, head, stream):
        self._h = head
        self._s = stream

    def read(self, n):
        if self._h:
            r, self._h = self._h[:n], self._h[n:]
            return r
        return self._s.read(n)
