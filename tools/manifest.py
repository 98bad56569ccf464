#!/usr/bin/env python3
"""Evaluate a MicroPython firmware manifest the way MicroPython's tools/manifestfile.py does,
for the functions this project's manifests use: include, package, module, require, metadata
(freeze too). Variables the build provides ($(PORT_DIR), $(BOARD_DIR), $(MPY_DIR),
$(MPY_LIB_DIR)) are resolved only when given; an include under an unknown one is recorded,
not followed, so a board manifest can be checked without a MicroPython checkout.

    python tools/manifest.py boards/RPI_PICO_W/manifest.py     # prints what it freezes
"""
import os
import re
import sys


class ManifestError(Exception):
    pass


class Manifest:
    def __init__(self, variables=None):
        self.vars = dict(variables or {})
        self.files = []         # (path in firmware, source file)
        self.external = []      # includes under a variable the build provides
        self.requires = []      # micropython-lib packages (the build fetches them)
        self.metadata = {}
        self._stack = []

    # ---- evaluation ----------------------------------------------------------------------

    def execute(self, path):
        path = os.path.abspath(path)
        if os.path.isdir(path):
            path = os.path.join(path, "manifest.py")
        if not os.path.isfile(path):
            raise ManifestError("no manifest %s" % path)
        self._stack.append(os.path.dirname(path))
        try:
            with open(path) as f:
                code = compile(f.read(), path, "exec")
            env = {"include": self.include, "package": self.package, "module": self.module,
                   "require": self.require, "metadata": self.set_metadata,
                   "freeze": self.freeze, "__file__": path}
            exec(code, env)
        finally:
            self._stack.pop()
        return self

    def _path(self, p):
        unknown = []

        def sub(m):
            if m.group(1) in self.vars:
                return self.vars[m.group(1)]
            unknown.append(m.group(1))
            return m.group(0)
        p = re.sub(r"\$\((\w+)\)", sub, p)
        if unknown:
            return None
        return os.path.normpath(os.path.join(self._stack[-1], p))

    def include(self, manifest, **kwargs):
        for m in manifest if isinstance(manifest, (list, tuple)) else [manifest]:
            p = self._path(m)
            if p is None:
                self.external.append(m)
            else:
                self.execute(p)

    def package(self, name, files=None, base_path=".", opt=None):
        base = self._path(base_path)
        if base is None:
            raise ManifestError("package %s: base_path %s unknown here" % (name, base_path))
        root = os.path.join(base, name)
        if files is not None:
            found = [os.path.join(name, f) for f in files]
        else:
            if not os.path.isdir(root):
                raise ManifestError("package %s: no directory %s" % (name, root))
            found = []
            for d, dirs, fs in os.walk(root):
                dirs.sort()
                for f in sorted(fs):
                    if f.endswith(".py"):
                        found.append(os.path.relpath(os.path.join(d, f), base))
        for rel in found:
            src = os.path.join(base, rel)
            if not os.path.isfile(src):
                raise ManifestError("package %s: no file %s" % (name, src))
            self._add(rel, src)

    def module(self, name, base_path=".", opt=None):
        if not name.endswith(".py"):
            raise ManifestError("module %s: not a .py file" % name)
        base = self._path(base_path)
        if base is None:
            raise ManifestError("module %s: base_path %s unknown here" % (name, base_path))
        src = os.path.join(base, name)
        if not os.path.isfile(src):
            raise ManifestError("module %s: no file %s" % (name, src))
        self._add(name, src)

    def freeze(self, path, script=None, opt=None):
        base = self._path(path)
        if base is None:
            self.external.append(path)
            return
        scripts = [script] if isinstance(script, str) else script
        if scripts is None:
            for d, dirs, fs in os.walk(base):
                dirs.sort()
                scripts = scripts or []
                scripts += [os.path.relpath(os.path.join(d, f), base) for f in sorted(fs)
                            if f.endswith(".py")]
        for s in scripts or []:
            self._add(s, os.path.join(base, s))

    def require(self, name, **kwargs):
        self.requires.append(name)

    def set_metadata(self, description=None, version=None, license=None, author=None):
        # only the top-level manifest's metadata describes the firmware
        if len(self._stack) == 1:
            self.metadata = {k: v for k, v in (("description", description), ("version", version),
                                               ("license", license), ("author", author)) if v}

    def _add(self, target, src):
        for t, s in self.files:
            if t == target:
                raise ManifestError("%s frozen twice (%s and %s)" % (target, s, src))
        self.files.append((target.replace(os.sep, "/"), src))


def main():
    for path in sys.argv[1:] or [os.path.join("boards", b, "manifest.py")
                                 for b in sorted(os.listdir("boards"))
                                 if os.path.isfile(os.path.join("boards", b, "manifest.py"))]:
        m = Manifest().execute(path)
        print("%s: %d files, includes %s, requires %s, metadata %s" % (
            path, len(m.files), m.external, m.requires, m.metadata))
        for target, src in m.files:
            print("  %-32s %s" % (target, os.path.relpath(src)))


if __name__ == "__main__":
    main()
