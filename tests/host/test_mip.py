# package.json and package-<module>.json: installed with MicroPython's own mip (the unix port's
# frozen one, as on a board) from a local web server into a fresh directory, then imported
# and used there: one GET to the same server.
import functools
import http.server
import os
import subprocess
import sys
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MPY = os.path.join(ROOT, ".venv", "bin", "micropython")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=ROOT))
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield "http://127.0.0.1:%d" % srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def mip_install(url, target):
    p = subprocess.run([MPY, "-c", "import mip; mip.install(%r, target=%r)" % (url, str(target))],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "Done" in p.stdout, p.stdout + p.stderr
    return p.stdout


def installed(target):
    out = set()
    for d, _, fs in os.walk(target):
        out |= {os.path.relpath(os.path.join(d, f), target) for f in fs}
    return out


def test_package_files_are_current():
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "package_json.py"), "--check"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("pkg, use", [
    ("package.json", "from netstack import http, fetch\n"
                     "r = netstack.run(http.createHttp().request(URL))\nprint(r.responseCode)"),
    ("package-http.json", "from netstack import http\n"
                          "r = netstack.run(http.createHttp().request(URL))\nprint(r.responseCode)"),
    ("package-fetch.json", "from netstack import fetch\nbox = []\n"
                           "fetch.fetch({'url': URL, 'success': lambda d: box.append(d['code'])})\n"
                           "netstack.run()\nprint(box[0])"),
])
def test_mip_install_into_a_fresh_dir_and_use(server, tmp_path, pkg, use):
    target = tmp_path / "lib"
    mip_install(server + "/" + pkg, target)
    import json
    with open(os.path.join(ROOT, pkg)) as f:
        want = {u[0] for u in json.load(f)["urls"]}
    assert installed(target) == want
    # only the installed copy is on the path (and the frozen asyncio): no checkout behind it
    code = "import netstack\nURL = %r\n%s\n" % (server + "/README.md", use)
    p = subprocess.run([MPY, "-X", "heapsize=192k", "-c", code], cwd=str(tmp_path),
                       env=dict(os.environ, MICROPYPATH=".frozen:" + str(target)),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == "200", p.stdout + p.stderr
    if pkg == "package-fetch.json":
        assert "netstack/http.py" not in want


@pytest.mark.parametrize("pkg", sorted(f for f in os.listdir(ROOT)
                                       if f.startswith("package-") and f.endswith(".json")))
def test_every_module_package_installs_and_imports(server, tmp_path, pkg):
    mod = pkg[len("package-"):-len(".json")]
    target = tmp_path / "lib"
    mip_install(server + "/" + pkg, target)
    p = subprocess.run([MPY, "-X", "heapsize=192k", "-c",
                        "import netstack.%s as m; print(m.__name__)" % mod], cwd=str(tmp_path),
                       env=dict(os.environ, MICROPYPATH=".frozen:" + str(target)),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == "netstack." + mod, p.stdout + p.stderr
