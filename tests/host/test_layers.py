# The architecture, checked from the source: imports point one way (no cycles among lib/
# modules, lazy imports inside functions included), proto/ is sans-I/O and code-free,
# only transport/ and the seam open sockets or TLS.
import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB = os.path.join(ROOT, "lib")


def modules():
    out = {}
    for d, _, files in os.walk(os.path.join(LIB, "netstack")):
        for f in files:
            if f.endswith(".py"):
                p = os.path.join(d, f)
                name = os.path.relpath(p, LIB)[:-3].replace(os.sep, ".")
                if name.endswith(".__init__"):
                    name = name[: -len(".__init__")]
                out[name] = p
    return out


def imports(name, path, mods=None):
    """Every module `name` imports, at any depth of its code. `from pkg import x` counts as
    importing pkg.x when that is a module (as Python does, pkg itself is then only the
    package being entered, not a dependency), else as importing pkg."""
    mods = mods or {}
    pkg = name if path.endswith("__init__.py") else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.ImportFrom):
            base = pkg
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            mod = (base + "." + node.module if node.module else base) if node.level else node.module
            for a in node.names:
                sub = mod + "." + a.name
                found.add(sub if sub in mods else mod)
        elif isinstance(node, ast.Import):
            for a in node.names:
                found.add(a.name)
    return found


def graph():
    mods = modules()
    g = {}
    for name, path in mods.items():
        # "from . import x" names module x when it exists, else a name in the package
        g[name] = {m for m in imports(name, path, mods) if m in mods and m != name}
    return g


def test_no_import_cycles():
    g = graph()
    cycles = []
    state = {}

    def visit(n, stack):
        state[n] = 1
        stack.append(n)
        for m in sorted(g[n]):
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m):] + [m])
            elif m not in state:
                visit(m, stack)
        stack.pop()
        state[n] = 2

    for n in sorted(g):
        if n not in state:
            visit(n, [])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_proto_is_sans_io_and_code_free():
    for name, path in modules().items():
        if not name.startswith("netstack.proto"):
            continue
        src = open(path).read()
        for m in imports(name, path):
            assert m.split(".")[0] not in ("asyncio", "socket", "ssl", "tls", "select"), (name, m)
            # (netstack._take: a pure helper, uctypes only, that proto.ws hands large texts'
            # buffers over with)
            assert not m.startswith("netstack.") or m.startswith("netstack.proto") or \
                m == "netstack._take", (name, m)
        code = [l for l in src.splitlines() if not l.lstrip().startswith("#")]
        hits = [l for l in code if re.search(r"\b230[0-3]\d{3}\b|BusinessError", l)]
        assert not hits, (name, hits)


def test_only_transport_and_seam_open_sockets_or_tls():
    allowed = ("netstack._port", "netstack._portx", "netstack._portl", "netstack._porttls")
    for name, path in modules().items():
        if name.startswith("netstack.transport") or name in allowed:
            continue
        src = open(path).read()
        for pat in (r"(?m)^\s*import (socket|tls|ssl)\b", r"tcp_socket\(",
                    r"tls_wrap\(", r"wrap_socket\(", r"listen_socket\(", r"udp_socket\("):
            assert not re.search(pat, src), (name, pat)


def test_tools_and_bench_do_not_import_tests():
    # tools/ and bench/ run the peers as a program (tools/peerproc.py), never import tests/
    bad = []
    for d in ("tools", "bench"):
        for f in sorted(os.listdir(os.path.join(ROOT, d))):
            if not f.endswith(".py"):
                continue
            src = open(os.path.join(ROOT, d, f)).read()
            if re.search(r"sys\.path\.(insert|append)\([^\n]*[\"']tests[\"']", src):
                bad.append("%s/%s puts tests/ on sys.path" % (d, f))
    assert not bad, bad


def test_runtime_checks_behind_the_seam():
    # free heap, the clock's epoch and the platform are asked through _port only
    for name, path in modules().items():
        if name in ("netstack._port", "netstack._portx", "netstack._portl", "netstack._porttls"):
            continue
        src = open(path).read()
        for pat in (r"\bmem_free\(\)", r"gmtime\(0\)", r"sys\.platform"):
            hits = [l for l in src.splitlines() if re.search(pat, l) and "_port." not in l]
            assert not hits, (name, hits)


def test_every_lib_module_compiles_with_plain_mpy_cross_and_imports_on_the_unix_port(tmp_path):
    # lib/ is portable bytecode: plain mpy-cross (no -march) compiles every file, so a .mpy of
    # it runs on any port; native code (viper) lives in ports/native, built per architecture.
    # Every module then imports on MicroPython's unix port, from those .mpy and from source.
    import subprocess
    bin_ = os.path.join(ROOT, ".venv", "bin")
    failed = []
    for name, path in sorted(modules().items()):
        out = tmp_path / os.path.relpath(path, LIB)
        out = out.with_name("__init__.mpy" if out.name == "__init__.py" else out.stem + ".mpy")
        out.parent.mkdir(parents=True, exist_ok=True)
        p = subprocess.run([os.path.join(bin_, "mpy-cross"), "-o", str(out), path],
                           capture_output=True, text=True)
        if p.returncode:
            failed.append("%s: %s" % (name, p.stderr.strip().splitlines()[-1:]))
    assert not failed, failed
    script = ("bad = []\nfor m in %r:\n    try:\n        __import__(m)\n"
              "    except Exception as e:\n        bad.append((m, repr(e)))\nprint('BAD', bad)\n"
              % sorted(modules()))
    for tree in (str(tmp_path), LIB):
        p = subprocess.run([os.path.join(bin_, "micropython"), "-c", script],
                           env=dict(os.environ, MICROPYPATH=".frozen:" + tree),
                           capture_output=True, text=True, timeout=60)
        assert p.stdout.strip() == "BAD []", (tree, p.stdout, p.stderr)
    native = os.path.join(ROOT, "ports", "native")
    for d, _, files in os.walk(native):
        for f in files:
            src = open(os.path.join(d, f)).read()
            assert "@micropython.viper" in src or "@micropython.native" in src, (
                "%s has no native code: it belongs in lib/" % f)


def _defined(tree):
    """The names a module defines at any depth of its top level (functions, classes,
    assignments, imports, globals), and whether it has a module __getattr__ (names made on
    first use: those cannot be checked from the source)."""
    names = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For)):
            for target in n.targets if isinstance(n, ast.Assign) else [n.target]:
                names.update(t.id for t in ast.walk(target) if isinstance(t, ast.Name))
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, ast.Global):
            names.update(n.names)
    lazy = any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body)
    return names, lazy


def test_attributes_read_from_library_modules_exist():
    # `from . import _x` then `_x.name`: a name that module does not define fails only when
    # that line runs, often an error path (an `except` that reports raised AttributeError
    # once _aw became _err: the webSocket session then ended with 1006)
    mods = modules()
    trees = {m: ast.parse(open(p).read()) for m, p in mods.items()}
    defined = {m: _defined(t) for m, t in trees.items()}
    # the package binds these under other names (netstack/__init__.py)
    aliases = {"netstack._aw": "netstack._err", "netstack._log": "netstack._err"}
    wrong = []
    for name, tree in trees.items():
        pkg = name if mods[name].endswith("__init__.py") else name.rsplit(".", 1)[0]
        bound = {}
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom) and n.level:
                base = pkg
                for _ in range(n.level - 1):
                    base = base.rsplit(".", 1)[0]
                src = base + "." + n.module if n.module else base
                for a in n.names:
                    full = aliases.get(src + "." + a.name, src + "." + a.name)
                    if full in mods:
                        bound[a.asname or a.name] = full
        # a name also assigned in the module is not (only) the module: left out
        stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and
                  isinstance(n.ctx, ast.Store)}
        for n in ast.walk(tree):
            if (isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load) and
                    isinstance(n.value, ast.Name) and n.value.id in bound and
                    n.value.id not in stored):
                target = bound[n.value.id]
                names, lazy = defined[target]
                if not lazy and n.attr not in names:
                    wrong.append("%s line %d: %s.%s (%s has no %s)" % (
                        name, n.lineno, n.value.id, n.attr, target, n.attr))
    assert not wrong, "\n".join(wrong)
