# Message texts for BusinessError codes, imported only when a message is read.
# Texts follow OpenHarmony's HTTP_ERR_MAP / WEBSOCKET_ERR_MAP / socket tables.
# Each table is one string of "\nKEY TEXT" lines (one constant: a dict of str constants
# was ~75 str objects, two dicts and ~800 B more .mpy).
_HTTP = (  # key: code - 2300000
    "\n1 Unsupported protocol\n"
    "3 Invalid URL format or missing URL\n"
    "5 Failed to resolve the proxy name\n"
    "6 Failed to resolve the host name\n"
    "7 Failed to connect to the server\n"
    "8 Invalid server response\n"
    "9 Access to the remote resource denied\n"
    "16 Error in the HTTP2 framing layer\n"
    "18 Transferred a partial file\n"
    "23 Failed to write the received data to the disk or application\n"
    "25 Upload failed\n"
    "26 Failed to open or read local data from the file or application\n"
    "27 Out of memory\n"
    "28 Operation timeout\n"
    "47 The number of redirections reaches the maximum allowed\n"
    "52 The server returned nothing (no header or data)\n"
    "55 Failed to send data to the peer\n"
    "56 Failed to receive data from the peer\n"
    "58 Local SSL certificate error\n"
    "59 The specified SSL cipher cannot be used\n"
    "60 Invalid SSL peer certificate or SSH remote key\n"
    "61 Invalid HTTP encoding format\n"
    "63 Maximum file size exceeded\n"
    "70 Remote disk full\n"
    "73 Remote file already exists\n"
    "77 The SSL CA certificate does not exist or is inaccessible\n"
    "78 Remote file not found\n"
    "90 Specified pinned public key did not match\n"
    "94 Authentication error\n"
    "996 The request was intercepted by the HTTP global interceptor\n"
    "997 Cleartext traffic not permitted\n"
    "998 It is not allowed to access this domain\n"
    "999 Internal error\n"
)
_OTHER = (  # key: the code, less 2300000 where it is above that
    "\n801 Capability not supported\n"
    "1206 Socks5 failed to connect to the proxy server\n"
    "1207 Socks5 username or password invalid\n"
    "1208 Socks5 failed to connect to the remote server\n"
    "1209 Socks5 failed to negotiate the authentication method\n"
    "1210 Socks5 failed to send the message\n"
    "1211 Socks5 failed to receive the message\n"
    "1212 Socks5 serialization error\n"
    "1213 Socks5 deserialization error\n"
    "3501 SSL is null\n"
    "3502 An error occurred when reading data on the TLS socket\n"
    "3503 An error occurred when writing data on the TLS socket\n"
    "3504 An error occurred when verifying the X.509 certificate\n"
    "3505 An error occurred in the TLS system call\n"
    "3506 Failed to close the TLS connection\n"
    "3601 Invalid socket FD\n"
    "3602 Socket is not connected\n"
    "201 Permission denied\n"
    "401 Parameter error\n"
    "2 System internal error\n"
    "2001 Websocket url error\n"
    "2002 Websocket certificate file does not exist\n"
    "2003 Websocket connection already exist\n"
    "2004 Can't listen to the given NIC\n"
    "2005 Can't listen to the given Port\n"
    "2006 websocket connection does not exist\n"
    "2007 Websocket port already occupied\n"
    "2999 Websocket Unknown Other Error\n"
    "-1 Websocket connect failed\n"
)


def _find(t, k):
    i = t.find("\n%d " % k)
    if i < 0:
        return None
    i = t.index(" ", i) + 1
    return t[i:t.index("\n", i)]


def lookup(code):
    if code == 2302998:  # (webSocket's: the text of http's 2300998)
        code = 2300998
    if 2300000 < code < 2301000 and code != 2300002:
        return _find(_HTTP, code - 2300000) or "Internal error"
    m = _find(_OTHER, code - 2300000 if code > 2300000 else code)
    if m is None:
        try:
            import errno  # socket family: 2301000 + errno, 2303100 + errno
            base = 2301000 if code < 2303000 else 2303100
            m = errno.errorcode.get(code - base)
        except (ImportError, AttributeError):
            pass
    return m or "Error %d" % code
