# The one seam between the library and the runtime it runs on.
# The defaults below are for MicroPython (unix port and boards). A runtime that differs
# ships a `netstack_port` module (ports/<name>/netstack_port.py, frozen or copied next to
# the library) that overrides any of these names; the rest of lib/ only calls _port.
import asyncio
import socket

NAME = "micropython"
# Where a board keeps the CA bundle used when a request gives no caPath/caData (DER or PEM
# file, one or more certificates). None: https needs caPath/caData or remoteValidation 'skip'.
DEFAULT_CA_PATH = None
# Where HttpResponseCache.flush() writes its files (one per entry). None: "/cache" on a
# board's flash, $XDG_CACHE_HOME/netstack or ~/.cache/netstack on the unix port (worked
# out by _cache when a cache is created); tests set a temporary dir.
CACHE_DIR = None


def spawn(coro):
    return asyncio.create_task(coro)


current_task = asyncio.current_task


def run_until_complete(aw):
    # Not asyncio.run(): that makes a new loop and would drop tasks started by callbacks.
    return asyncio.get_event_loop().run_until_complete(aw)


# What a cancelled task sees at its await (timeouts are a watchdog task cancelling the
# request's task: _aw.watch).
CancelledError = asyncio.CancelledError


def sleep_ms(ms):
    return asyncio.sleep_ms(ms)


# Waiting for a socket uses the scheduler's poller directly, as asyncio's own streams do,
# so the transport can read into its own buffers without asyncio.Stream's copies.
def wait_readable(s):
    yield asyncio.core._io_queue.queue_read(s)


def wait_writable(s):
    yield asyncio.core._io_queue.queue_write(s)


def resolve(host, port):
    """-> (family, sockaddr). Blocking on MicroPython; boards may override with a cache."""
    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    return ai[0], ai[-1]


def tcp_socket(family):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setblocking(False)
    return s


def tls_context(server_side=False):
    import tls
    return tls.SSLContext(tls.PROTOCOL_TLS_SERVER if server_side else tls.PROTOCOL_TLS_CLIENT)


def tls_verify(ctx, ca_ders, verify):
    """Trust each DER certificate in `ca_ders`; verify=False turns checking off."""
    import tls
    for der in ca_ders:
        ctx.load_verify_locations(der)
    ctx.verify_mode = tls.CERT_REQUIRED if verify else tls.CERT_NONE


def tls_cert_chain(ctx, cert_der, key_der):
    ctx.load_cert_chain(cert_der, key_der)


def tls_pin(ctx, hook):
    """Run hook(cert DER as a memoryview valid only during the call, depth) on each
    certificate of the server's chain inside the handshake, root first, the server's at
    depth 0; a non-zero (negative mbedTLS code) return fails the handshake with
    OSError(code, text). mbedTLS skips its verify callback under CERT_NONE, so
    verification off becomes CERT_OPTIONAL: chain and host errors pass, the hook runs."""
    import tls
    if ctx.verify_mode == tls.CERT_NONE:
        ctx.verify_mode = tls.CERT_OPTIONAL
    ctx.verify_callback = hook


def tls_wrap(ctx, s, server_hostname=None, server_side=False):
    s = ctx.wrap_socket(s, server_side=server_side, do_handshake_on_connect=False,
                        server_hostname=server_hostname)
    s.setblocking(False)
    return s


def peer_cert(s):
    """DER of the peer's certificate, or None where the port cannot tell."""
    try:
        return s.getpeercert(True)
    except (AttributeError, OSError):
        return None


def random_bytes(n):
    import os
    try:
        return os.urandom(n)
    except (AttributeError, NotImplementedError):
        import random
        return bytes(random.getrandbits(8) for _ in range(n))


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


try:
    from netstack_port import *  # noqa: F401,F403  per-runtime overrides
except ImportError:
    pass
