#!/usr/bin/env python3
"""The constant objects of .mpy files: what each module makes on the heap when it loads,
even from ROMFS (str and bytes objects, floats, big ints, tuples and their items), besides
its functions, classes and names.

    python tools/mpy_objs.py build/lib/netstack/_http.mpy [...] [-v]

Prints per file the number of names and of constant objects, and an estimate of their heap
on a 64-bit port (32 B per str/bytes/float object, a tuple 16 B + 8 B per item, in 32-byte
blocks); -v lists them. A str literal of up to 10 characters, or one that is a name earlier
in the same source file, is a name instead (no object); items of a tuple literal are always
objects. (.mpy format v6: MicroPython 1.20 and later.)"""
import sys

KINDS = {1: "None", 2: "False", 3: "True", 4: "...", 5: "str", 6: "bytes", 7: "int",
         8: "float", 9: "complex", 10: "tuple"}


def _uint(b, i):
    v = 0
    while True:
        c = b[i]
        i += 1
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            return v, i


def _obj(b, i, out, depth):
    kind = KINDS.get(b[i], "?%d" % b[i])
    i += 1
    if kind in ("str", "bytes", "int", "float", "complex"):
        n, i = _uint(b, i)
        out.append((depth, kind, bytes(b[i:i + n])))
        i += n + (kind in ("str", "bytes"))  # (str and bytes end with a 0 byte)
    elif kind == "tuple":
        n, i = _uint(b, i)
        out.append((depth, kind, n))
        for _ in range(n):
            i = _obj(b, i, out, depth + 1)
    else:
        out.append((depth, kind, None))
    return i


def objects(path):
    """-> (number of names in the file's table, [(depth, kind, value)])."""
    b = open(path, "rb").read()
    if b[:1] != b"M" or b[1] != 6:
        raise ValueError("%s: not a v6 .mpy" % path)
    nq, i = _uint(b, 4)
    no, i = _uint(b, i)
    for _ in range(nq):
        n, i = _uint(b, i)
        if not n & 1:  # (odd: a static name, by number)
            i += (n >> 1) + 1
    out = []
    for _ in range(no):
        i = _obj(b, i, out, 0)
    return nq, out


def estimate(objs):
    est = 0
    for _, kind, v in objs:
        if kind in ("str", "bytes", "float", "complex"):
            est += 32
        elif kind == "tuple":
            est += (16 + 8 * v + 31) // 32 * 32
    return est


def main(argv):
    verbose = "-v" in argv
    total = 0
    for path in [a for a in argv if a != "-v"]:
        nq, objs = objects(path)
        est = estimate(objs)
        total += est
        print("%-44s names %3d  objects %3d  ~%5d B" % (path, nq, len(objs), est))
        if verbose:
            for depth, kind, v in objs:
                print("    " + "  " * depth + kind, "" if v is None else v)
    print("total ~%d B" % total)


if __name__ == "__main__":
    main(sys.argv[1:])
