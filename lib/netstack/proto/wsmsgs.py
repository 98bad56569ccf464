# ProtocolError (HandshakeError) messages of proto/ws and proto/wshs, by the number they
# raise with: loaded only when a peer breaks the protocol or refuses the handshake, so a
# session that never fails pays no RAM for the texts (each string constant of a module
# costs ~40 bytes of heap even from ROMFS: bench/ws_ram.py). proto/msgs.py is the same for
# ProtoError (http1); wssrv and wspmd raise with their texts.
T = (
    'reserved opcode %d',  # 0
    'fragmented control frame',  # 1
    'control frame over 125 bytes',  # 2
    'reserved bits set on a control frame',  # 3
    'continuation without a message',  # 4
    'reserved bits set on a continuation',  # 5
    'new message inside a fragmented one',  # 6
    'reserved bits set',  # 7
    'masked frame from the server',  # 8
    'unmasked frame from a client',  # 9
    'length not in its shortest form',  # 10
    '64-bit length with the top bit set',  # 11
    'message over %d bytes',  # 12
    'invalid UTF-8 in a text message',  # 13
    'text message ends inside a character',  # 14
    'close payload of 1 byte',  # 15
    'close code %d not allowed',  # 16
    'invalid UTF-8 in the close reason',  # 17
    'the server answered %d, not 101',  # 18
    "no 'Upgrade: websocket' in the answer",  # 19
    "no 'Connection: Upgrade' in the answer",  # 20
    'wrong Sec-WebSocket-Accept',  # 21
    'the server chose a protocol that was not asked for',  # 22
    'extension not agreed: %s',  # 23
)
