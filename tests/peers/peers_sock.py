"""Socket peers for netstack.socket tests (CPython socket/ssl on 127.0.0.1, threads).

tcp_echo: every byte back; a line 'CLOSE\n' makes it close (FIN), 'RESET\n' reset (RST),
  'FLOOD n\n' (sent alone) send n bytes as fast as the client takes them (in place of an
  echo of that line), then echo again.
udp_echo: every datagram back to its sender.
tls_echo(ctx): tcp_echo behind TLS (server certificates from peers_certs).
dante(workdir), pproxy(workdir, user, password): SOCKS5 proxies as child processes.
"""
import os
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
        if d.startswith(b"FLOOD ") and d.endswith(b"\n"):
            n = int(d[6:-1])
            blob = bytes(range(256)) * 256
            while n > 0:
                c.sendall(blob[:n])
                n -= len(blob)
            tail = b""
            continue
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


# ---- SOCKS5 proxies: real servers, run as child processes -----------------------------

def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def _wait_port(port, proc, name, seconds=10):
    import time
    end = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s" % (name, proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise RuntimeError("%s not accepting after %d s" % (name, seconds))
            time.sleep(0.02)


def _die_with_parent():
    # Linux: SIGTERM when the process that started us dies, even by SIGKILL (the peers'
    # gunicorn does the same through peers_gunicorn_child.py)
    try:
        import ctypes
        import signal
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Child:
    """A proxy server process on 127.0.0.1:port, stopped with the peers."""

    def __init__(self, name, args, port, workdir):
        import subprocess
        self.name, self.port = name, port
        log = open(os.path.join(workdir, name + ".log"), "ab")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     cwd=workdir, preexec_fn=_die_with_parent)
        log.close()

    def start(self):
        _wait_port(self.port, self.proc, self.name)
        return self

    def signal_stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()

    def stop(self):
        try:
            self.proc.wait(5)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def dante(workdir):
    """Dante (Debian's dante-server, installed by .ci/run): SOCKS5 without authentication,
    CONNECT and UDP ASSOCIATE to loopback targets only. None where danted is missing."""
    import shutil
    exe = shutil.which("danted") or ("/usr/sbin/danted" if os.path.exists("/usr/sbin/danted") else None)
    if exe is None:
        return None
    port = _free_port()
    conf = os.path.join(workdir, "danted.conf")
    with open(conf, "w") as f:
        f.write("logoutput: stderr\n"
                "internal: 127.0.0.1 port = %d\n"
                "external: 127.0.0.1\n"
                "socksmethod: none\n"
                "clientmethod: none\n"
                "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n"
                "socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 command: connect udpassociate udpreply }\n"
                "socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 }\n" % port)
    return Child("socks5", [exe, "-f", conf, "-N", "1", "-p", os.path.join(workdir, "danted.pid")],
                 port, workdir)


def pproxy(workdir, user, password):
    """pproxy (PyPI, pinned in tools/requirements.txt): SOCKS5 with a username and password
    (RFC 1929), CONNECT only. --auth 0: every connection authenticates (pproxy otherwise
    trusts an address that authenticated once)."""
    import sys
    port = _free_port()
    exe = os.path.join(os.path.dirname(sys.executable), "pproxy")
    return Child("socks5_auth", [exe, "-l", "socks5://127.0.0.1:%d#%s:%s" % (port, user, password),
                                 "--auth", "0"], port, workdir)
