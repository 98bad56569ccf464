"""Network peers for netstack tests, all on 127.0.0.1 and free ports (or on the address in
$NETSTACK_PEERS_HOST, which tools/test_board.py sets so a board can reach them; cfg["host"]).

    from peers import Peers                  # with tests/peers on sys.path
    with Peers(workdir) as p:
        p.cfg                                # JSON-able dict, keys in README.md

or, in the foreground (prints the cfg as one JSON line, stops on SIGTERM/SIGINT):

    .venv/bin/python tests/peers/peers.py --workdir DIR

Needs only the Python stdlib plus httpbin, gunicorn, trustme (and cryptography) from .venv.
httpbin also serves /basic-auth/user/passwd and /digest-auth/auth/user/passwd for auth tests.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import peers_certs as certs        # noqa: E402
import peers_hostile as hostile    # noqa: E402
import peers_proxy as proxy        # noqa: E402
import peers_ws                     # noqa: E402
import peers_sock as sockpeers     # noqa: E402
from peers_rawhttp import HOST, ThreadedServer, respond, serve_http   # noqa: E402

PROXY_USER, PROXY_PASSWORD = "u", "p"
SOCKS_USER, SOCKS_PASSWORD = "u", "p"
START_TIMEOUT = 15


class Peers:
    def __init__(self, workdir, gunicorn_workers=2):
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.workers = gunicorn_workers
        self.cfg = {}
        self.timings = {}
        self.procs = {}           # name -> Popen of a gunicorn master
        self.servers = {}         # name -> ThreadedServer
        self.proxies = {}         # name -> proxy.Proxy (for its counters)
        self._closed = None       # the socket holding cfg['closed_port']

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---- start ---------------------------------------------------------------

    def start(self):
        t0 = time.monotonic()
        # SOCKS5 proxies as child processes: Dante (no auth; TCP and UDP) where danted is
        # installed, pproxy (username/password). Started first (pproxy takes ~0.5 s to
        # import), waited for at the end. Test scripts use the credentials "u"/"p".
        socks = [("socks5", sockpeers.dante(self.workdir)),
                 ("socks5_auth", sockpeers.pproxy(self.workdir, SOCKS_USER, SOCKS_PASSWORD))]
        for name, child in socks:
            if child is not None:
                self.servers[name] = child
        pki, files = certs.make_pki(self.workdir, HOST)
        self.cfg.update(pki)
        self.cfg["host"] = HOST
        # gunicorn takes ~0.3 s to import httpbin: start both first, wait for them last.
        self.cfg["httpbin"] = self._gunicorn("httpbin", None)
        self.cfg["httpbins"] = self._gunicorn("httpbins", files["server"])

        self.cfg["hostile"] = self._serve("hostile", hostile.handle)
        self.cfg["https_wronghost"] = self._serve("https_wronghost", hostile.handle,
                                                  _server_ctx(files["wronghost"]))
        mtls_ctx = _server_ctx(files["server"])
        mtls_ctx.load_verify_locations(files["ca"])
        mtls_ctx.verify_mode = ssl.CERT_REQUIRED
        self.cfg["https_mtls"] = self._serve("https_mtls", _mtls_handle, mtls_ctx)
        for name, creds in (("proxy", None), ("proxy_auth", (PROXY_USER, PROXY_PASSWORD))):
            px = proxy.Proxy(creds, name=name)
            self.proxies[name] = px
            self.servers[name] = px.server.start()
            self.cfg[name] = "%s:%d" % (HOST, px.port)
        self.cfg["proxy_user"], self.cfg["proxy_password"] = PROXY_USER, PROXY_PASSWORD
        self._closed = _closed_port()
        self.cfg["closed_port"] = self._closed.getsockname()[1]
        for name, ctx in (("ws_echo", None), ("wss_echo", _server_ctx(files["server"]))):
            srv = peers_ws.WsEcho(ctx, name).start()
            self.servers[name] = srv
            self.cfg[name] = "%s://%s:%d" % ("wss" if ctx else "ws", HOST, srv.port)
        # netstack.socket peers: plain ports (ints), on 127.0.0.1 (the socket device tests
        # address them there: on a real board they need cfg['host'])
        for name, srv in (("tcp_echo", sockpeers._Server("tcp_echo", sockpeers.echo)),
                          ("udp_echo", sockpeers.UdpEcho()),
                          ("tls_echo", sockpeers._Server("tls_echo", sockpeers.echo,
                                                         _server_ctx(files["server"]))),
                          ):
            self.servers[name] = srv.start()
            self.cfg[name] = srv.port
        # TLS echo with a bad certificate: [wrong host, expired, self-signed] under one key
        # (each cfg key more shifts the device scripts' heap: test_http at 110k)
        bad = []
        for name in ("wronghost", "expired", "selfsigned"):
            srv = sockpeers._Server("tls_" + name, sockpeers.echo, _server_ctx(files[name]))
            self.servers["tls_" + name] = srv.start()
            bad.append(srv.port)
        self.cfg["tls_bad"] = bad
        # one key for both ports ([Dante, pproxy]): the device scripts' CFG line is part of
        # their heap layout, and each key more moved test_http at 110k by 128 bytes
        self.cfg["socks5"] = [c.start().port if c is not None else None for _, c in socks]

        for name in self.procs:
            self._wait_http(name, files["ca"])
        self.timings["start_s"] = round(time.monotonic() - t0, 3)
        with open(os.path.join(self.workdir, "peers.json"), "w") as f:
            json.dump(self.cfg, f)
        return self

    def _serve(self, name, handler, ctx=None):
        # Listening starts in the constructor, so the port accepts before we return.
        srv = ThreadedServer(handler, ctx, name=name).start()
        self.servers[name] = srv
        return "%s://%s:%d" % ("https" if ctx else "http", HOST, srv.port)

    def _gunicorn(self, name, tls_pem):
        # peers_gunicorn_child.py: gunicorn that dies with us even if we are SIGKILLed.
        # We bind the socket and hand gunicorn the fd: no race for a "free" port.
        lsock = socket.create_server((HOST, 0), backlog=1024)
        port = lsock.getsockname()[1]
        args = [sys.executable, os.path.join(HERE, "peers_gunicorn_child.py"), str(os.getpid()),
                "-b", "fd://%d" % lsock.fileno(), "-w", str(self.workers),
                # The sync worker closes after every response; gthread keeps HTTP/1.1
                # connections alive (keep-alive tests need that).
                "-k", "gthread", "--threads", "16", "--keep-alive", "30",
                "--preload", "--graceful-timeout", "2", "--no-control-socket",
                "--log-level", "warning", "--error-logfile", "-"]
        if tls_pem:
            args += ["--certfile", tls_pem, "--keyfile", tls_pem]
        args.append("httpbin:app")
        with open(os.path.join(self.workdir, name + ".log"), "ab") as log:
            self.procs[name] = subprocess.Popen(args, pass_fds=[lsock.fileno()], cwd=self.workdir,
                                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        lsock.close()
        return "%s://%s:%d" % ("https" if tls_pem else "http", HOST, port)

    def _wait_http(self, name, ca_path):
        """Wait until a real request is answered (gunicorn's socket accepts before workers run)."""
        url = self.cfg[name]
        port = int(url.rsplit(":", 1)[1])
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            proc = self.procs[name]
            if proc.poll() is not None:
                raise RuntimeError("%s exited with %s; see %s.log" % (name, proc.returncode,
                                                                       os.path.join(self.workdir, name)))
            try:
                if url.startswith("https"):
                    c = http.client.HTTPSConnection(HOST, port, timeout=2,
                                                    context=ssl.create_default_context(cafile=ca_path))
                else:
                    c = http.client.HTTPConnection(HOST, port, timeout=2)
                c.request("GET", "/status/200")
                if c.getresponse().status == 200:
                    c.close()
                    return
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("%s not answering after %d s" % (name, START_TIMEOUT))
            time.sleep(0.02)

    # ---- stop ----------------------------------------------------------------

    def stop(self):
        t0 = time.monotonic()
        if self._closed:
            self._closed.close()
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGQUIT)    # gunicorn: quick shutdown (TERM is graceful)
        for srv in self.servers.values():
            srv.signal_stop()
        for srv in self.servers.values():
            srv.stop()
        for proc in self.procs.values():
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
        self.servers.clear()
        self.timings["stop_s"] = round(time.monotonic() - t0, 3)

    @property
    def pids(self):
        return {name: p.pid for name, p in self.procs.items()}


def _server_ctx(pem):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pem)
    return ctx


def _mtls_handle(sock):
    serve_http(sock, lambda conn, req: respond(conn, req, 200, "OK", b"mtls ok"))


def _closed_port():
    # A port bound and never listened on, held while the peers run: connecting is refused
    # (RST), and no bind(0) elsewhere is given it meanwhile. A port bound and freed at once
    # could go to any test's server, which would then accept a connect that a test expects
    # refused. SO_REUSEADDR: a test may still listen on it on purpose (concurrency_support's
    # Stuck, which sets it too: Linux lets both bind while this one does not listen).
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, 0))
    return s


def main():
    ap = argparse.ArgumentParser(description="Run all test peers in the foreground.")
    ap.add_argument("--workdir", help="where certificates and logs go (default: a new temp dir)")
    args = ap.parse_args()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with Peers(args.workdir or tempfile.mkdtemp(prefix="peers-")) as p:
        print(json.dumps(p.cfg), flush=True)
        print("peers: started in %.2f s" % p.timings["start_s"], file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    print("peers: stopped in %.2f s" % p.timings["stop_s"], file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
