# ProtoError messages, by the number proto/ raises with: loaded only when an error is made,
# so a parser that never fails pays no RAM for the texts (each string constant of a module
# costs about 40 bytes of heap even when its code runs from flash).
T = (
    'obsolete line folding',  # 0
    "header line without ':'",  # 1
    'empty header name',  # 2
    "whitespace before ':' in header name",  # 3
    'NUL/CR in header value',  # 4
    'too many header lines (>%d)',  # 5
    '%s head larger than %d bytes',  # 6
    'bad status line',  # 7
    'bad status code',  # 8
    'NUL/CR in status line',  # 9
    'chunked is not the last transfer coding',  # 10
    "unsupported transfer coding '%s'",  # 11
    'empty Transfer-Encoding',  # 12
    "bad Content-Length '%s'",  # 13
    'conflicting Content-Length values',  # 14
    'chunk size too large (>8 hex digits)',  # 15
    'bad chunk size',  # 16
    'NUL/CR in chunk extension',  # 17
    'bad body framing',  # 18
    'took(%d) beyond the body',  # 19
    'missing CRLF after chunk data',  # 20
    'chunk size line too long (>%d bytes)',  # 21
    'trailer line too long (>%d bytes)',  # 22
    'too many trailer lines (>%d)',  # 23
    'chunked body cut',  # 24
    'bad char %r in %s',  # 25
    'bad request target',  # 26
    'space/CR/LF/NUL in request target',  # 27
    'URL must be a str',  # 28
    'space or control char in URL',  # 29
    "missing '://' in URL",  # 30
    "unsupported scheme '%s'",  # 31
    'bad IPv6 literal in URL',  # 32
    'bad host in URL',  # 33
    'empty host in URL',  # 34
    'bad port in URL',  # 35
    'quote() needs str or bytes',  # 36
    'RecvBuf.wrote(%d) past the free space',  # 37
    'receive buffer full (%d bytes)',  # 38
    'bad request line',  # 39
    'bad request method',  # 40
    'request Transfer-Encoding does not end in chunked',  # 41
    'bad status',  # 42
    'bad reason',  # 43
    'body ended early: %d of %d bytes',  # 44
    'bad %s',  # 45
    'bad header value for %s',  # 46
    'CR/LF/NUL in header %s',  # 47
    'whitespace in header name',  # 48
    'NUL/CR in header name',  # 49
    'non-ASCII header name',  # 50
    'invalid char 0x%02x in header name',  # 51
)
