# dir(netstack.http) / help(netstack.http) at a REPL show the API, not private helpers
# (issue 8 §4): the module holds public names only, on CPython and on MicroPython (which
# runs the same source, here on the unix port from lib/).
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
# lower-case public names of netstack.http (OpenHarmony's API: its factory functions)
HTTP_API = {"createHttp", "createHttpResponseCache"}


def _bad(names):
    return sorted(n for n in names if not (n.startswith("__") and n.endswith("__"))
                  and not n[:1].isupper() and n not in HTTP_API)


def test_dir_http_shows_the_api_only_on_cpython():
    from netstack import http
    names = dir(http)
    assert _bad(names) == [], _bad(names)
    for n in ("HttpRequest", "HttpResponse", "createHttp"):
        assert n in names
    # loaded on first use, as the enum classes are (CPython's dir() does not ask __getattr__)
    assert http.PerformanceTiming.__name__ == "PerformanceTiming"


def test_dir_http_shows_the_api_only_on_micropython():
    env = dict(os.environ, MICROPYPATH=os.path.join(ROOT, "lib") + ":.frozen")
    p = subprocess.run([MICROPYTHON, "-c", "from netstack import http; print(' '.join(dir(http)))"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    names = p.stdout.split()
    assert _bad(names) == [], _bad(names)
    for n in ("HttpRequest", "HttpResponse", "PerformanceTiming", "createHttp", "createHttpResponseCache"):
        assert n in names
    # the test can fail: a private helper in the module would be listed
    assert _bad(names + ["_exchange", "header_object"]) == ["_exchange", "header_object"]


def test_dir_netstack_does_not_raise_on_micropython():
    # MicroPython's dir() asks the package's __getattr__ for every interned string, such as
    # '0.1.0' (__version__): that must be an AttributeError, not a failed submodule import
    env = dict(os.environ, MICROPYPATH=os.path.join(ROOT, "lib") + ":.frozen")
    p = subprocess.run([MICROPYTHON, "-c", "import netstack; print(' '.join(dir(netstack)))"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "run" in p.stdout.split() and "BusinessError" in p.stdout.split()
