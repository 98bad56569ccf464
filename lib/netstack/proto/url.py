# URL helpers for http/https/ws/wss. split and host_header live in proto.http1 (what a
# plain request needs: loaded with it, no module of their own on that path); percent-
# encoding, redirect resolution (RFC 3986 §5.2, dot segments included) and query merging
# in urlx, reached through this module (url.join, url.quote, ...) and loaded on first use.
from . import ProtoError  # noqa: F401  (url.ProtoError: what split raises)
from .http1 import split_url as split, host_header  # noqa: F401


def __getattr__(name):
    # quote, urlencode, join (redirects), add_query live in urlx, loaded on first use:
    # a plain request needs only split and host_header. Bound here once found.
    from . import urlx
    v = getattr(urlx, name)
    globals()[name] = v
    return v
