#!/usr/bin/env python3
"""RAM rows of `make bench` (issue 7, §5): the library's code as .mpy files (loaded into the
heap, as on a board's filesystem) and in a ROMFS image (bytecode in flash, as on a board with
a ROMFS partition), next to micropython-lib `requests` measured the same way in the same run.

    python bench/ram.py [--lib build/lib] [--json FILE]

Rows (unix port, x64):
  import      heap allocated by `from netstack import http` (`import requests`) in a fresh
              interpreter (gc.mem_alloc before/after, after gc.collect)
  GET         smallest -X heapsize (1k steps, bisection confirmed twice, bench/run.py's
              search) at which one GET of /small passes (bench/mp_get.py: the GET and its
              check, nothing else); from ROMFS the image's size is left out (the cap is
              raised by it: on a board the image is in flash). As information, the same GET
              through the speed harness's dispatcher (bench/mp_bench.py heap_get), whose own
              code and arguments take ~4K (how this row was measured before 2026-12-06)
  HTTPS 110k  one verified HTTPS GET at -X heapsize=110k with the code as .mpy, and (as
              information) the smallest heap at which it passes: the row's margin
--names K   also the GET rows for a bigger program: mp_names, K attribute names of its own
            (interned when it loads, as a program's functions, globals and attributes are),
            then mp_get's GET. MicroPython keeps interned names in pools that grow in blocks
            (the fifth, 3,584 B on x64, comes at the 301st name): a GET that fits only
            because the library's names end just short of a pool would not fit a real
            program. Its ROMFS row has mp_names in the image (the program in flash too: the
            names' text stays there), its .mpy row loads it from a directory (their text is
            copied into the heap)
--scan romfs|mpy:LO:HI[:STEP] (repeatable): instead of the rows, netstack's GET at every heap
from LO to HI KiB in STEP-byte steps (default 64): the 1K rows hide changes of a few hundred
bytes, and at this grain the row is not always monotonic (prints the size from which every
larger one passed). E.g. --scan romfs:44:46 --scan mpy:65:67
micropython-lib `requests` is frozen into this MicroPython binary: it is measured as it is
(frozen, code in the binary: the same in both columns). micropython-lib `aiohttp` is not on
PyPI, npm or Debian (only an unrelated 2018 `micropython-uaiohttpclient`), so it is not
measured here.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import run as bench  # noqa: E402  (bench/run.py: server, MicroPython runner, heap search)

MPREMOTE = os.path.join(ROOT, ".venv", "bin", "mpremote")
MODULES = ("mp_bench", "mp_heap", "raw_get", "mp_imp", "mp_rom", "mp_get")
TARGETS = {"import_mpy": 48 * 1024, "import_romfs": 24 * 1024, "get_mpy": 72, "get_romfs": 40}


def romfs(lib, out):
    p = subprocess.run([MPREMOTE, "romfs", "--no-mpy", "--output", out, "build", lib],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode or not os.path.isfile(out):
        raise bench.HarnessError("mpremote romfs build failed:\n" + p.stdout)
    return os.path.getsize(out)


def rom_heap(k, size):
    # the cap that leaves k KiB once the image's bytearray is in the heap (tools/vboard.py;
    # bench/ws_ram.py too): the image's bytes subtracted, as issue 7 defines the ROMFS rows.
    # Their share of the GC's allocation tables (3 bits per 32-byte block on this 64-bit
    # port: 1.2%, ~1.5 KB for a 130 KB image) stays in: the program gets that much less than
    # a board with k KiB and the image in flash would (stricter, never kinder)
    return str(k * 1024 + (size + 15) // 16 * 16 + 64)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "lib"))
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--scan", metavar="HOW:LO:HI[:STEP]", action="append",
                    help="a fine scan of a GET row (above)")
    ap.add_argument("--names", type=int, default=0, metavar="K",
                    help="also the GET rows with K names interned by the program (with --scan: "
                         "the scan of that program)")
    args = ap.parse_args(argv)
    args.lib = os.path.abspath(args.lib)  # (the runs' working directory is a temporary one)
    res = {}
    with tempfile.TemporaryDirectory(prefix="bench-ram-") as tmp:
        mdir = os.path.join(tmp, "mpy")
        for m in MODULES:
            bench.mpy_cross(os.path.join(HERE, m + ".py"), os.path.join(mdir, m + ".mpy"))
        img = os.path.join(tmp, "netstack.romfs")
        size = romfs(args.lib, img)
        res["romfs_image_bytes"] = size
        if args.names:  # the bigger program: beside mp_get, and in an image with the library
            _names_prog(os.path.join(tmp, "mp_names.py"), args.names)
            bench.mpy_cross(os.path.join(tmp, "mp_names.py"), os.path.join(mdir, "mp_names.mpy"))
            libn = os.path.join(tmp, "libn")
            shutil.copytree(args.lib, libn)
            shutil.copy(os.path.join(mdir, "mp_names.mpy"), libn)
            imgn = os.path.join(tmp, "names.romfs")
            sizen = romfs(libn, imgn)
        mpy = bench.MP([mdir, args.lib, ".frozen"], tmp)
        rom = bench.MP([mdir, ".frozen"], tmp)   # netstack only from the image
        srv = bench.Server(tmp)
        try:
            common = {"port": srv.port, "sport": srv.sport, "ca": srv.info["ca_der"], "capem": srv.info["ca_pem"]}
            url = "http://127.0.0.1:%d/small" % srv.port
            if args.scan:
                if args.names:
                    return _scan(args.scan, mpy, rom, url, imgn, sizen, "mp_names")
                return _scan(args.scan, mpy, rom, url, img, size)
            for client in ("netstack", "requests"):
                for how, mp in (("mpy", mpy), ("romfs", rom)):
                    if how == "romfs" and client == "requests":
                        continue  # frozen: no .mpy or image of it here
                    imp = _imp(mp, client, how, img, size)
                    res["import_%s_%s" % (how, client)] = imp
                    im = img if how == "romfs" else None
                    out = bench.search_k(mp, lambda k: _get(mp, k, [client, url], im, size),
                                         bench.HEAP_LO_K, bench.HEAP_HI_K)
                    res["get_%s_%s" % (how, client)] = out.get("result_k")
                    if out.get("error"):
                        res["get_%s_%s_error" % (how, client)] = out["error"]
                    # information: the same GET through the speed harness's dispatcher
                    if how == "mpy":
                        out = bench.heap_search(mp, "heap_get", client, common)
                    else:
                        out = bench.search_k(mp, lambda k: _rom_get(mp, img, size, k, client, common),
                                             bench.HEAP_LO_K, bench.HEAP_HI_K)
                    res["get_%s_%s_dispatch" % (how, client)] = out.get("result_k")
                    if args.names and client == "netstack":
                        imn, szn = (imgn, sizen) if how == "romfs" else (None, size)
                        out = bench.search_k(mp, lambda k: _get(mp, k, [client, url], imn, szn, "mp_names"),
                                             bench.HEAP_LO_K, bench.HEAP_HI_K)
                        res["get_%s_netstack_names" % how] = out.get("result_k")
                        res["names"] = args.names
            https = ["netstack", "https://127.0.0.1:%d/small" % srv.sport, srv.info["ca_pem"]]
            ok, r, _ = _get(mpy, 110, https, None, size)
            res["https_110k_mpy_netstack"] = ok if ok else r.get("error")
            # information: how far the 110k row is from failing
            res["https_mpy_netstack"] = bench.search_k(mpy, lambda k: _get(mpy, k, https, None, size),
                                                       bench.HEAP_LO_K, bench.HEAP_HI_K).get("result_k")
        finally:
            srv.stop()
    print(render(res))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    bad = [k for k, lim in (("import_mpy_netstack", TARGETS["import_mpy"]),
                            ("import_romfs_netstack", TARGETS["import_romfs"]),
                            ("get_mpy_netstack", TARGETS["get_mpy"]),
                            ("get_romfs_netstack", TARGETS["get_romfs"]))
           if not isinstance(res.get(k), int) or res[k] > lim]
    if res.get("https_110k_mpy_netstack") is not True:
        bad.append("https_110k_mpy_netstack")
    for how, lim in (("mpy", TARGETS["get_mpy"]), ("romfs", TARGETS["get_romfs"])):
        v = res.get("get_%s_netstack_names" % how, 0)  # (the targets must hold for it too)
        if not isinstance(v, int) or v > lim:
            bad.append("get_%s_netstack_names" % how)
    print("targets: %s" % ("all met" if not bad else "MISSED " + ", ".join(bad)))
    return 0


def _names_prog(path, k):
    # the program of --names: k attribute names in a function never called (interned when
    # the module loads, nothing else kept but the function), then mp_get's GET
    with open(path, "w") as f:
        f.write("# bench/ram.py --names %d: a program with %d names of its own, then mp_get\n" % (k, k))
        f.write("def _names(o):\n    return (%s)\n" % ", ".join("o.user_name_%d" % i for i in range(k)))
        f.write("import mp_get  # noqa\n")


def _scan(specs, mpy, rom, url, img, size, prog="mp_get"):
    for spec in specs:
        how, lo, hi, step = (spec.split(":") + ["64"])[:4]
        mp, im = (rom, img) if how == "romfs" else (mpy, None)
        marks = []
        b = int(float(lo) * 1024)
        while b <= float(hi) * 1024:
            if im is None:
                cmd = [bench.MICROPYTHON, "-X", "heapsize=%d" % b, "-m", prog, "netstack", url]
            else:
                cmd = [bench.MICROPYTHON, "-X", "heapsize=%d" % (b + (size + 15) // 16 * 16 + 64), "-m",
                       "mp_rom", img, str(size), prog, "netstack", url]
            marks.append((b, _probe(mp, cmd)[0]))
            b += int(step)
        good = None
        for b, ok in reversed(marks):
            if not ok:
                break
            good = b
        print("%-5s %s  passes from %s" % (how, "".join("+" if ok else "." for _, ok in marks),
                                          "%.2fK" % (good / 1024) if good is not None else "none"))
    return 0


def _imp(mp, client, how, img, size):
    if how == "romfs":
        cmd = [bench.MICROPYTHON, "-X", "heapsize=1m", "-m", "mp_rom", img, str(size), "mp_imp", client]
    else:
        cmd = [bench.MICROPYTHON, "-X", "heapsize=1m", "-m", "mp_imp", client]
    p = subprocess.run(cmd, env=mp.env, cwd=mp.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60, text=True)
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])["alloc"]
    except (ValueError, IndexError, KeyError):
        return "failed: " + p.stdout[-200:]


def _get(mp, k, argv, img, size, prog="mp_get"):
    # bench/mp_get.py at k KiB of heap (ROMFS, img: mounted first by mp_rom, its size added)
    if img is None:
        cmd = [bench.MICROPYTHON, "-X", "heapsize=%dk" % k, "-m", prog] + argv
    else:
        cmd = [bench.MICROPYTHON, "-X", "heapsize=" + rom_heap(k, size), "-m", "mp_rom", img, str(size),
               prog] + argv
    return _probe(mp, cmd)


def _probe(mp, cmd):
    # one run at a trial heap: (passed, its JSON line or the last stderr line, 0)
    mp.runs += 1
    try:
        p = subprocess.run(cmd, env=mp.env, cwd=mp.cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=bench.HEAP_RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, {"error": "timed out", "timeout": True}, 0
    out = p.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        r = json.loads(out[-1])
    except (ValueError, IndexError):
        r = {"error": (p.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]}
    return p.returncode == 0 and r.get("ok") is True, r, 0


def _rom_get(mp, img, size, k, client, common):
    # mp_rom mounts the image, then runs mp_bench heap_get
    a = dict(common)
    cmd_args = [img, str(size), "mp_bench", "heap_get", client] + ["%s=%s" % kv for kv in sorted(a.items())]
    return _probe(mp, [bench.MICROPYTHON, "-X", "heapsize=" + rom_heap(k, size), "-m", "mp_rom"] + cmd_args)


def render(res):
    kb = lambda v: "%.1f KB" % (v / 1024) if isinstance(v, int) else str(v)
    k = lambda v: "%dK" % v if isinstance(v, int) else str(v)
    img = res["romfs_image_bytes"]
    lines = [
        "| RAM (unix port, x64) | netstack .mpy | netstack ROMFS | requests (frozen) | target |",
        "|---|---|---|---|---|",
        "| heap allocated by `import netstack.http` / `import requests` | %s | %s | %s | ≤ 48 KB / ≤ 24 KB |" % (
            kb(res.get("import_mpy_netstack")), kb(res.get("import_romfs_netstack")),
            kb(res.get("import_mpy_requests"))),
        "| smallest heap for one GET (ROMFS: image of %d B left out) | %s | %s | %s | ≤ 72K / ≤ 40K |" % (
            img, k(res.get("get_mpy_netstack")), k(res.get("get_romfs_netstack")),
            k(res.get("get_mpy_requests"))),
        "| same GET, the program interning %s names of its own first | %s | %s | | ≤ 72K / ≤ 40K |" % (
            res.get("names", "-"), k(res.get("get_mpy_netstack_names")), k(res.get("get_romfs_netstack_names"))),
        "| (information) same GET through bench/mp_bench.py's dispatcher | %s | %s | %s | |" % (
            k(res.get("get_mpy_netstack_dispatch")), k(res.get("get_romfs_netstack_dispatch")),
            k(res.get("get_mpy_requests_dispatch"))),
        "| verified HTTPS GET at 110k | %s | | | passes |" % (
            "passes" if res.get("https_110k_mpy_netstack") is True else res.get("https_110k_mpy_netstack")),
        "| (information) smallest heap for one verified HTTPS GET | %s | | | |" % k(res.get("https_mpy_netstack")),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
