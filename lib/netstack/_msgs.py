# Message texts for BusinessError codes, imported only when a message is read.
# Texts follow OpenHarmony's HTTP_ERR_MAP / WEBSOCKET_ERR_MAP / socket tables.
_HTTP = {
    1: "Unsupported protocol",
    3: "Invalid URL format or missing URL",
    5: "Failed to resolve the proxy name",
    6: "Failed to resolve the host name",
    7: "Failed to connect to the server",
    8: "Invalid server response",
    9: "Access to the remote resource denied",
    16: "Error in the HTTP2 framing layer",
    18: "Transferred a partial file",
    23: "Failed to write the received data to the disk or application",
    25: "Upload failed",
    26: "Failed to open or read local data from the file or application",
    27: "Out of memory",
    28: "Operation timeout",
    47: "The number of redirections reaches the maximum allowed",
    52: "The server returned nothing (no header or data)",
    55: "Failed to send data to the peer",
    56: "Failed to receive data from the peer",
    58: "Local SSL certificate error",
    59: "The specified SSL cipher cannot be used",
    60: "Invalid SSL peer certificate or SSH remote key",
    61: "Invalid HTTP encoding format",
    63: "Maximum file size exceeded",
    70: "Remote disk full",
    73: "Remote file already exists",
    77: "The SSL CA certificate does not exist or is inaccessible",
    78: "Remote file not found",
    90: "Specified pinned public key did not match",
    94: "Authentication error",
    996: "The request was intercepted by the HTTP global interceptor",
    997: "Cleartext traffic not permitted",
    998: "It is not allowed to access this domain",
    999: "Internal error",
}
_OTHER = {
    801: "Capability not supported",
    2301206: "Socks5 failed to connect to the proxy server",
    2301207: "Socks5 username or password invalid",
    2301208: "Socks5 failed to connect to the remote server",
    2301209: "Socks5 failed to negotiate the authentication method",
    2301210: "Socks5 failed to send the message",
    2301211: "Socks5 failed to receive the message",
    2301212: "Socks5 serialization error",
    2301213: "Socks5 deserialization error",
    2303501: "SSL is null",
    2303502: "An error occurred when reading data on the TLS socket",
    2303503: "An error occurred when writing data on the TLS socket",
    2303504: "An error occurred when verifying the X.509 certificate",
    2303505: "An error occurred in the TLS system call",
    2303506: "Failed to close the TLS connection",
    2303601: "Invalid socket FD",
    2303602: "Socket is not connected",
    201: "Permission denied",
    401: "Parameter error",
    2300002: "System internal error",
    2302001: "Websocket url error",
    2302002: "Websocket certificate file does not exist",
    2302003: "Websocket connection already exist",
    2302004: "Can't listen to the given NIC",
    2302005: "Can't listen to the given Port",
    2302006: "websocket connection does not exist",
    2302007: "Websocket port already occupied",
    2302998: "It is not allowed to access this domain",
    2302999: "Websocket Unknown Other Error",
    -1: "Websocket connect failed",
}


def lookup(code):
    if 2300000 < code < 2301000 and code != 2300002:
        return _HTTP.get(code - 2300000, "Internal error")
    m = _OTHER.get(code)
    if m is None:
        try:
            import errno  # socket family: 2301000 + errno, 2303100 + errno
            base = 2301000 if code < 2303000 else 2303100
            m = errno.errorcode.get(code - base)
        except (ImportError, AttributeError):
            pass
    return m or "Error %d" % code
