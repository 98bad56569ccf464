"""Socket peers for netstack.socket tests (CPython socket/ssl on 127.0.0.1, threads).

tcp_echo: every byte back; a line 'CLOSE\n' makes it close (FIN), 'RESET\n' reset (RST).
udp_echo: every datagram back to its sender.
tls_echo(ctx): tcp_echo behind TLS (server certificates from peers_certs).
"""
import socket
import ssl
import struct
import threading


class _Server:
    def __init__(self, name, handler, ctx=None):
        self.name = name
        self.handler = handler
        self.ctx = ctx
        self.ls = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.ls.getsockname()[1]
        self.stopping = False
        self.conns = set()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _loop(self):
        while not self.stopping:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(c,), daemon=True).start()

    def _one(self, c):
        self.conns.add(c)
        try:
            if self.ctx is not None:
                c.settimeout(10)
                c = self.ctx.wrap_socket(c, server_side=True)
                self.conns.add(c)
            c.settimeout(60)
            self.handler(c)
        except (OSError, ssl.SSLError):
            pass
        finally:
            self.conns.discard(c)
            try:
                c.close()
            except OSError:
                pass

    def signal_stop(self):
        self.stopping = True
        try:
            self.ls.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ls.close()
        for c in list(self.conns):
            try:
                c.close()
            except OSError:
                pass

    def stop(self):
        self.thread.join(5)


def echo(c):
    tail = b""
    while True:
        d = c.recv(65536)
        if not d:
            return
        seen = tail + d
        if b"RESET\n" in seen:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if b"CLOSE\n" in seen:
            return
        c.sendall(d)
        tail = seen[-6:]


class UdpEcho:
    def __init__(self, name="udp_echo"):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.port = self.s.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _loop(self):
        while not self.stopping:
            try:
                d, a = self.s.recvfrom(65535)
                self.s.sendto(d, a)
            except OSError:
                if self.stopping:
                    return

    def signal_stop(self):
        self.stopping = True
        self.s.close()

    def stop(self):
        self.thread.join(5)
