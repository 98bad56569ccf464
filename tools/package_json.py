#!/usr/bin/env python3
"""Write the mip package files from lib/: package.json (the whole library) and one
package-<module>.json per public module (its import closure: the module, the core it needs,
nothing else), so a board can take only `http` or only `fetch`:

    mpremote mip install github:OWNER/REPO                      # everything
    mpremote mip install github:OWNER/REPO/package-http.json    # netstack.http only

URLs are relative to the .json file, so they work from GitHub, a fork, a local web server or
a checkout (`mpremote mip install ./package.json`). The native-code modules (ports/native,
viper) go in as source with the rest: a board's compiler builds them for its own
architecture at import. `--check` fails if a file is stale
(make test runs it); `make package-json` rewrites them.
"""
import ast
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "lib")
NATIVE = os.path.join(ROOT, "ports", "native")   # the viper modules, laid out as in lib/
PKG = "netstack"


def path_of(rel):
    """'netstack/proto/ws.py' -> its source file: in lib/, or ports/native/ for native code."""
    p = os.path.join(LIB, rel)
    return p if os.path.isfile(p) else os.path.join(NATIVE, rel)


def version():
    with open(os.path.join(LIB, PKG, "__init__.py")) as f:
        for line in f:
            if line.startswith("__version__"):
                return ast.literal_eval(line.split("=", 1)[1].strip())
    raise SystemExit("package_json: no __version__ in netstack/__init__.py")


def module_file(dotted):
    """'netstack.proto.url' -> 'netstack/proto/url.py' (or its __init__.py), or None."""
    base = os.path.join(*dotted.split("."))
    for rel in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(path_of(rel)):
            return rel
    return None


def imports(rel):
    """Modules of the package that file `rel` imports (anywhere in it: lazy imports too)."""
    dotted = rel[:-3].replace(os.sep, ".")
    pkg = dotted.rsplit(".", 1)[0] if not rel.endswith("__init__.py") else dotted[:-9]
    with open(path_of(rel)) as f:
        tree = ast.parse(f.read(), rel)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith(PKG):
                continue
            out.append(mod)
            out += [mod + "." + a.name for a in node.names]     # from . import x: a module?
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.startswith(PKG + ".")]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "__import__"):
            pass    # netstack.__getattr__: loads public modules by name, on request only
    return out


def closure(start):
    todo, seen = [start], set()
    while todo:
        mod = todo.pop()
        parts = mod.split(".")
        for i in range(1, len(parts) + 1):     # a module's packages load first
            rel = module_file(".".join(parts[:i]))
            if rel and rel not in seen:
                seen.add(rel)
                todo += imports(rel)
    return sorted(seen)


def all_files():
    out = []
    for root in (LIB, NATIVE):
        for d, dirs, files in os.walk(os.path.join(root, PKG)):
            dirs[:] = sorted(x for x in dirs if x != "__pycache__")
            out += [os.path.relpath(os.path.join(d, f), root) for f in sorted(files) if f.endswith(".py")]
    return sorted(out)


def public_modules():
    return sorted(f[:-3] for f in os.listdir(os.path.join(LIB, PKG))
                  if f.endswith(".py") and not f.startswith("_"))


def package(files, description):
    return {"description": description, "version": version(),
            "urls": [[f.replace(os.sep, "/"),
                      os.path.relpath(path_of(f), ROOT).replace(os.sep, "/")] for f in files],
            "deps": []}


def wanted():
    out = {"package.json": package(all_files(), "netstack: OpenHarmony's network API for MicroPython")}
    for m in public_modules():
        out["package-%s.json" % m] = package(closure("%s.%s" % (PKG, m)),
                                             "netstack.%s and the core it needs" % m)
    return out


def dump(obj):
    return json.dumps(obj, indent=1) + "\n"


def main():
    check = "--check" in sys.argv
    stale = []
    files = wanted()
    for name, obj in files.items():
        path = os.path.join(ROOT, name)
        text = dump(obj)
        old = open(path).read() if os.path.isfile(path) else None
        if old != text:
            stale.append(name)
            if not check:
                with open(path, "w") as f:
                    f.write(text)
    extra = [f for f in os.listdir(ROOT) if f.startswith("package-") and f.endswith(".json")
             and f not in files]
    for f in extra:
        stale.append(f)
        if not check:
            os.remove(os.path.join(ROOT, f))
    if check and stale:
        sys.exit("package_json: stale %s: run `make package-json`" % ", ".join(stale))
    print("package_json: %s" % ("up to date" if not stale else "wrote " + ", ".join(stale)))


if __name__ == "__main__":
    main()
