# ProtocolError (HandshakeError) messages of proto/ws and proto/wshs, by the number they
# raise with: loaded only when a peer breaks the protocol or refuses the handshake, so a
# session that never fails pays no RAM for the texts (each string constant of a module
# costs ~40 bytes of heap even from ROMFS: bench/ws_ram.py). proto/msgs.py is the same for
# ProtoError (http1); wssrv and wspmd raise with their texts. One string, a text a line
# (a tuple constant is a str object per text), split where a text is needed.
T = (
    "reserved opcode %d\n"  # 0
    "fragmented control frame\n"  # 1
    "control frame over 125 bytes\n"  # 2
    "reserved bits set on a control frame\n"  # 3
    "continuation without a message\n"  # 4
    "reserved bits set on a continuation\n"  # 5
    "new message inside a fragmented one\n"  # 6
    "reserved bits set\n"  # 7
    "masked frame from the server\n"  # 8
    "unmasked frame from a client\n"  # 9
    "length not in its shortest form\n"  # 10
    "64-bit length with the top bit set\n"  # 11
    "message over %d bytes\n"  # 12
    "invalid UTF-8 in a text message\n"  # 13
    "text message ends inside a character\n"  # 14
    "close payload of 1 byte\n"  # 15
    "close code %d not allowed\n"  # 16
    "invalid UTF-8 in the close reason\n"  # 17
    "the server answered %d, not 101\n"  # 18
    "no 'Upgrade: websocket' in the answer\n"  # 19
    "no 'Connection: Upgrade' in the answer\n"  # 20
    "wrong Sec-WebSocket-Accept\n"  # 21
    "the server chose a protocol that was not asked for\n"  # 22
    "extension not agreed: %s\n"  # 23
)
