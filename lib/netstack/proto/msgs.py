# ProtoError messages, by the number proto/ raises with: loaded only when an error is made,
# so a parser that never fails pays no RAM for the texts (each string constant of a module
# costs about 40 bytes of heap even when its code runs from flash). One string, a text a
# line (a tuple constant is a str object per text): ProtoError splits it.
T = (
    "obsolete line folding\n"  # 0
    "header line without ':'\n"  # 1
    "empty header name\n"  # 2
    "whitespace before ':' in header name\n"  # 3
    "NUL/CR in header value\n"  # 4
    "too many header lines (>%d)\n"  # 5
    "%s head larger than %d bytes\n"  # 6
    "bad status line\n"  # 7
    "bad status code\n"  # 8
    "NUL/CR in status line\n"  # 9
    "chunked is not the last transfer coding\n"  # 10
    "unsupported transfer coding '%s'\n"  # 11
    "empty Transfer-Encoding\n"  # 12
    "bad Content-Length '%s'\n"  # 13
    "conflicting Content-Length values\n"  # 14
    "chunk size too large (>8 hex digits)\n"  # 15
    "bad chunk size\n"  # 16
    "NUL/CR in chunk extension\n"  # 17
    "bad body framing\n"  # 18
    "took(%d) beyond the body\n"  # 19
    "missing CRLF after chunk data\n"  # 20
    "chunk size line too long (>%d bytes)\n"  # 21
    "trailer line too long (>%d bytes)\n"  # 22
    "too many trailer lines (>%d)\n"  # 23
    "chunked body cut\n"  # 24
    "bad char %r in %s\n"  # 25
    "bad request target\n"  # 26
    "space/CR/LF/NUL in request target\n"  # 27
    "URL must be a str\n"  # 28
    "space or control char in URL\n"  # 29
    "missing '://' in URL\n"  # 30
    "unsupported scheme '%s'\n"  # 31
    "bad IPv6 literal in URL\n"  # 32
    "bad host in URL\n"  # 33
    "empty host in URL\n"  # 34
    "bad port in URL\n"  # 35
    "quote() needs str or bytes\n"  # 36
    "RecvBuf.wrote(%d) past the free space\n"  # 37
    "receive buffer full (%d bytes)\n"  # 38
    "bad request line\n"  # 39
    "bad request method\n"  # 40
    "request Transfer-Encoding does not end in chunked\n"  # 41
    "bad status\n"  # 42
    "bad reason\n"  # 43
    "body ended early: %d of %d bytes\n"  # 44
    "bad %s\n"  # 45
    "bad header value for %s\n"  # 46
    "CR/LF/NUL in header %s\n"  # 47
    "whitespace in header name\n"  # 48
    "NUL/CR in header name\n"  # 49
    "non-ASCII header name\n"  # 50
    "invalid char 0x%02x in header name\n"  # 51
)
