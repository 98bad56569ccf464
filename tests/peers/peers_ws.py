# WebSocket echo peer: CPython `websockets` (a real, conformant implementation) on its own
# asyncio loop in a thread, plain (ws) or TLS (wss). Every message comes back as it came
# (text as text, binary as binary). Paths:
#   /headers        first message: the request headers as JSON, then echo
#   /close/CODE     closes with CODE (reason "bye") after the first message
#   /long           echo, the 101 padded with a 700-byte X-Pad header (a head over the
#                   client's first 512-byte buffer)
#   /send/N[/F]     on the first message a text of N zeros (N < 0: -N random base64
#                   characters), in F-character fragments if F, compressed where agreed; then echo
#   anything else   echo; Sec-WebSocket-Protocol: the first of 'chat', 'json' offered
import asyncio
import base64
import json
import os
import threading

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from peers_rawhttp import HOST   # where the peers listen (NETSTACK_PEERS_HOST)


def _pad(conn, request, response):
    if request.path == "/long":
        response.headers["X-Pad"] = "x" * 700


def _pick(conn, offered):
    for p in offered:
        if p in ("chat", "json"):
            return p
    return None


class WsEcho:
    def __init__(self, ssl_ctx=None, name="ws_echo"):
        self.ctx = ssl_ctx
        self.name = name
        self.port = None
        self.loop = None
        self.stop_ev = None
        self.thread = None
        self.ready = threading.Event()

    async def _handler(self, ws):
        try:
            await self._echo(ws)
        except ConnectionClosed:  # clients that drop the link on purpose (tests of failures)
            pass

    async def _echo(self, ws):
        path = ws.request.path
        if path == "/headers":
            await ws.send(json.dumps({k.lower(): v for k, v in ws.request.headers.raw_items()}))
        if path.startswith("/send/"):  # (a client's large messages: tests/device/test_ws_big_limit.py)
            n, f = (int(x) for x in (path[6:] + "/0").split("/")[:2])
            m = "0" * n if n >= 0 else base64.b64encode(os.urandom(-n)).decode()[:-n]
            await ws.recv()
            await ws.send((m[i:i + f] for i in range(0, len(m), f)) if f else m)
        async for m in ws:
            if path.startswith("/close/"):
                await ws.close(int(path[7:]), "bye")
                return
            await ws.send(m)

    async def _main(self):
        self.stop_ev = asyncio.Event()
        async with serve(self._handler, HOST, 0, ssl=self.ctx, max_size=None,
                         select_subprotocol=_pick, ping_interval=None,
                         process_response=_pad) as srv:
            self.port = srv.sockets[0].getsockname()[1]
            self.ready.set()
            await self.stop_ev.wait()

    def start(self):
        def run():
            self.loop = asyncio.new_event_loop()
            self.loop.run_until_complete(self._main())
            self.loop.close()

        self.thread = threading.Thread(target=run, name=self.name, daemon=True)
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("websockets echo peer did not start")
        return self

    def signal_stop(self):
        if self.loop is not None and self.stop_ev is not None and not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(self.stop_ev.set)
            except RuntimeError:  # closed in between
                pass

    def stop(self):
        self.signal_stop()
        if self.thread is not None:
            self.thread.join(5)
