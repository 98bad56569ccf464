# The one seam between the library and the runtime it runs on: a declared contract.
# Every name below may be overridden by a runtime's `netstack_port` module
# (ports/<name>/netstack_port.py, frozen or copied next to the library); the defaults are
# for MicroPython (unix port and lwIP boards). The rest of lib/ calls only these names for
# anything that differs between runtimes: loop, sockets, TLS, clock, heap, files.
#
# Contract (name: what it is / does; * = default in _portx.py, _portl.py (names starting
# with a or l) or, for TLS, _porttls.py, ** = in _portaio.py (asyncio's loop only), loaded
# on first use):
#   NAME, *DEFAULT_CA_PATH, *CACHE_DIR, *DEFAULT_PROXY, *EPOCH, *SOCKOPTS   constants
#   spawn, current_task, CancelledError, sleep_ms, *event()   the loop (spawn and event
#                      load asyncio: a second task; sleep_ms too, but on the one-task loop)
#   run_until_complete(aw, own)   run aw to its end; own: for a library operation, which
#                      needs no asyncio (below, "the loop"), the report of a task's error
#   park(q), wake(q)   await park(q) waits until wake(q) (q: a list; netstack.run()'s
#                      idle wait without an event object)
#   spawn_after(coro, ms)   a task that first runs coro ms from now (watchdogs; 0: a task
#                      that runs next, on the one-task loop too)
#   drop_sleeper(t)   end a task asleep in sleep_ms without running it again (watchdogs)
#   wait_readable(s), wait_writable(s), close(s)   readiness waits; close wakes the waiters
#   wait_now(s, ms) -> bool   block until s is readable when nothing else could run meanwhile
#   waiter(s) -> w   w(ms) is wait_now(s, ms), quicker (a port with its own wait_now under
#                    MicroPython's asyncio gives its own waiter too)
#   resolve(host, port, dgram=False) -> (family, sockaddr); *addr(sa) -> (host, port, 4|6)
#   tcp_socket(family), *listen_socket(family, sa, backlog), *accept(ls) -> (s, sa) | None
#   *udp_socket(family), *bind(s, sa), *sendto(s, data, sa) -> n | None,
#   *recvfrom(s, n) -> (bytes, sa) | None, *local_addr(s) -> sa | None, *sockopt(s, name, v)
#   *listen(s, backlog), *sock_error(s) -> errno after connect, *fileno(s) -> int,
#   *unix_addr(path) -> sa | None, *MAX_CLIENTS, *BACKLOG, *RECV_BUF (netstack.socket)
#   io_wait(s)   await s readable (default in transport.tcp: one shared object, no
#                generator per wait; netstack.socket's readers)
#   *tls_context(server_side), *tls_verify, *tls_cert_chain, *tls_pin, *peer_cert
#   *tls_wrap   the default also sends the TLS socket's waits to its TCP socket where the
#               poller polls objects without a file descriptor every 1 ms (the unix port:
#               _porttls.WAITS, tls_on)
#   *tls_cipher(s) -> (suite, version) | None, *tls_knows_end, *tls_alpn, *tls_versions
#   *tls_heap   free GC heap (bytes) a verified TLS client handshake needs where mbedTLS
#               allocates from the GC heap (rp2), else None: checked before a handshake
#   mem_free() -> int | None, *random_bytes(n), *read_file(path), *default_cache_dir()
#   net_ready() -> bool   boards only (ports/esp32, rp2: WiFi connected?); False makes a dial
#                         fail at once. No default here: a function would cost every runtime
#                         heap (128 B from ROMFS), so transport looks for it with getattr.
import _asyncio  # (the firmware's Task and TaskQueue, in C: no heap for their code)
import socket
import sys
import time

NAME = "micropython"
# (DEFAULT_CA_PATH and read_file: _porttls's defaults, EPOCH _portx's: a name defined here
# is a global and an interned name in every program's heap)


# --- the loop ------------------------------------------------------------------------------
# asyncio is frozen in the firmware, yet `import asyncio` costs ~4 KB of heap (its module
# objects). It loads when a program needs concurrency: a callback-style call or another
# second task (spawn, sleep_ms, event), a server, a coroutine of the program's own given to
# netstack.run(), or a program that imports it itself. Until then netstack.run(op) of one of
# the library's operations runs it here, on a loop of one task (_solo): the operation's
# task, the watchdogs it arms and the tasks it starts with spawn_after (a webSocket
# client's session, its pinger, its send callbacks: they may sleep_ms), with at most one
# of them waiting for a socket at a time, and with the firmware's Task and TaskQueue and
# this module as their context (Task.cancel() reads cur_task, _task_queue and
# CancelledError from it, as from asyncio.core). Tasks it started that are not done when
# the run's own task is stay queued for the next run (netstack.run() runs them: its idle
# wait parks on this loop too). If asyncio loads during such a run (a listener makes a
# callback-style call, a second task waits for a socket), the run moves onto asyncio's
# loop after that step: its tasks, its socket wait and its watchdogs (_portaio.move); if
# it loads between runs, they move then.
_core = None  # asyncio.core once loaded (_aio); None also on CPython, whose port has its own
_solo = None  # the one-task loop's task, while it runs
# The one-task loop's other state is made by its first run (_run_solo), so that a program
# that goes to asyncio pays no RAM for it: cur_task (the task it is running), _task_queue
# (its task when runnable, its watchdogs), _poller (its select.poll), _iow ([that task]
# while it waits for its socket: its data, Task.cancel() takes it off), _sw (that socket)
# and _sd (select.POLLIN 1 | POLLOUT 4: no tuple per wait), and CancelledError (__getattr__).


def _aio():
    """asyncio.core, loaded now if it is not yet; binds spawn, sleep_ms and CancelledError
    to asyncio's (bound, not wrapped: no function object, no frame per call) and _A to
    _portaio (what only asyncio's loop needs). What the one-task loop holds moves onto
    asyncio's loop now, or after the step it is in (_run_solo)."""
    global _core, spawn, sleep_ms, CancelledError, _A
    if _core is None:
        import asyncio
        spawn = asyncio.create_task
        sleep_ms = asyncio.sleep_ms
        CancelledError = asyncio.CancelledError
        _core = asyncio.core
        from . import _portaio as _A
        _A._core = _core
        if _solo is not None:  # in a step of the one-task loop: asyncio's own waits made in
            _core.cur_task = cur_task  # the rest of it are its task's (it moves after)
        elif "_iow" in globals():  # between runs: the tasks it left (a webSocket session)
            _A.move(globals())
    return _core


def current_task():
    if _solo is not None:
        return cur_task
    return _aio().current_task()


def spawn_after(coro, ms):
    # queued with its start time as a sleeping task is: one step fewer than spawn(sleep...)
    if _solo is not None:  # a watchdog of the one-task loop's task
        q, g = _task_queue, globals()
    else:
        core = _aio()
        q, g = core._task_queue, core.__dict__
    t = _asyncio.Task(coro, g)
    q.push(t, time.ticks_add(time.ticks_ms(), ms))
    return t


def run_until_complete(aw, own):
    """Run aw to its end; -> its value. own: None, or when aw is one of the library's
    operations, which waits only through this seam (with asyncio not loaded, it runs on the
    one-task loop), what reports an exception that ends another task of that loop
    (_err.report: given here, as _err is above this module)."""
    if _core is None:
        if own and _solo is None and "asyncio" not in sys.modules:  # (not from inside one)
            return _run_solo(aw, own)
        _aio()
    return _A.run(aw)


def _run_solo(coro, report):
    # asyncio.core's run_until_complete for coro's task, its watchdogs and the tasks queued
    # with spawn_after: one of them waits for a socket at a time (wait_readable,
    # wait_writable; a second one loads asyncio), the others are queued to run (now, when
    # they wake from sleep_ms, when wake() ends their park()). The task runs first at once
    # (a reused connection's GET may end in that step). report(e, "task"): an exception
    # that ends a task other than coro's.
    global cur_task, _task_queue, _solo, _sw, _sd, _poller, _iow
    g = globals()
    if "_poller" not in g:  # the first run: the loop's state (above)
        import select
        _poller = select.poll()
        _task_queue = _asyncio.TaskQueue()
        _iow = []
        _sw = _sd = cur_task = None
        if "CancelledError" not in g:  # (in the context of its tasks: Task.cancel() makes one)
            __getattr__("CancelledError")
    q = _task_queue
    t = d = _solo = _asyncio.Task(coro, g)
    try:
        while True:
            if _sw is not None and not _iow:  # (its waiter woken, or cancelled meanwhile)
                _poller.unregister(_sw)
                _sw = None
            cur_task = d
            v = q  # (not t's value: t not done)
            try:
                e = d.data
                if e is None:
                    d.coro.send(None)
                else:  # cancelled (Task.cancel() left the exception there)
                    d.data = None
                    d.coro.throw(e)
            except StopIteration as e:
                d.state = False  # done (a watchdog left queued cancels nothing then)
                if d is t:
                    v = e.value
            except BaseException as e:
                d.state = False  # (the tasks it leaves go on at the next run)
                if d is t:
                    raise
                report(e, "task")  # another task's (a pinger's MemoryError): reported, the
                # loop goes on, as asyncio's does (its exception handler prints it)
            finally:
                cur_task = None
            if "asyncio" in sys.modules:  # loaded in that step: the rest on asyncio's loop
                _aio()
                _A.move(g)
                if v is q:
                    break
            if v is not q:
                return v
            # the next to run: the first due on q (a task that need not wait, one that
            # woke, a watchdog), else the one waiting once its socket is ready
            while True:
                d = q.peek()
                ms = -1
                if d is not None:
                    ms = time.ticks_diff(d.ph_key, time.ticks_ms())
                    if ms <= 0:
                        q.pop()
                        break
                for d in _poller.ipoll(ms):  # (ipoll: no list per poll; ready: its one socket)
                    d = _iow.pop()
                    d.data = None
                    ms = 0
                if not ms:
                    break
    finally:
        if _core is not None:  # asyncio loaded in the last step: not its task any more (_aio)
            _core.cur_task = None
        _solo = None
    return _core.run_until_complete(t)


def drop_sleeper(t):
    """End task t, asleep in sleep_ms or not started by spawn_after (and not awaited by
    anyone), without running it (again):
    off the run queue, never resumed, collected with its coroutine. MicroPython's
    Task.cancel() would requeue it to run now instead; it then stays queued past the end of
    run_until_complete and links to the next tasks created (docs/http.md, "Memory")."""
    if t.state is True and t.data is None:  # not finished, on the run queue (not on an I/O
        (_task_queue if _solo is not None else _aio()._task_queue).remove(t)  # or event queue,
        t.state = False  # done(), as a finished task nobody awaits      # where data says which)
    else:
        t.cancel()


def sleep_ms(ms):
    # await sleep_ms(ms): on the one-task loop its task sleeps on the loop's queue (as
    # asyncio's does); else asyncio's (_aio binds this name to it when asyncio loads)
    if _solo is None:
        yield from _aio().sleep_ms(ms)
        return
    _task_queue.push(cur_task, time.ticks_add(time.ticks_ms(), ms))
    yield


def park(q):
    # await park(q): the current task waits, on none of the loop's queues, until wake(q)
    # (q: a list): netstack.run()'s idle wait, without asyncio.Event (its module ~1 KB) and
    # on the one-task loop too. As Event.wait: data = the list, so that cancel() takes the
    # task off it and runs it; wake() queues it to run (push clears data).
    t = cur_task if _solo is not None else _core.cur_task
    q.append(t)
    t.data = q
    yield


def wake(q):
    while q:
        (_task_queue if _solo is not None else _core._task_queue).push(q.pop())


# Waiting for a socket uses the scheduler's poller directly, as asyncio's own streams do,
# so the transport can read into its own buffers without asyncio.Stream's copies.
# The poller holds one waiting task per direction per socket (a second one would replace
# the first, which then never wakes): transport.Conn queues its writers.
_ql = 0  # length of this asyncio's poller entries ([reader, (pri,) writer, s]) once seen


# TLS sockets whose waits go to their TCP socket: _porttls.WAITS once _porttls is loaded
# (id(TLS socket) -> (TCP socket, TLS socket, _porttls.tls_on), filled by its tls_wrap,
# emptied by close()), else None.
_tls = None


def wait_readable(s):
    # asyncio's queue_read without its two calls (queue_read, _enqueue and _ev_mask are
    # ~5k instructions a wait: every WebSocket message a server answers waits once) where
    # nobody waits on s yet and the entry's layout is known, from the first wait's own
    # entry; else asyncio's own way. (No local more than these: this frame is each waiting
    # reader's.)
    global _ql, _sw, _sd
    if _tls:
        t = _tls.get(id(s))
        if t is not None:
            s = t[2](s, t[0], 1)  # its TCP socket, itself, or None: readable now
            if s is None:
                if _solo is not None:
                    _task_queue.push(cur_task)
                else:
                    _core._task_queue.push(_core.cur_task)
                yield
                return
    if _solo is not None and _sw is None:  # the one-task loop's: _run_solo polls s (asyncio's
        _poller.register(s, 1)  # IOQueue way: the task's data has remove(): Task.cancel()
        # takes it off). A second waiter: asyncio (loaded here; the loop moves after the step)
        _sw = s
        _sd = 1
        _iow.append(cur_task)
        cur_task.data = _iow
        yield
        return
    core = _core or _aio()
    q = core._io_queue
    m = q.map
    k = id(s)
    if _ql and k not in m:
        t = core.cur_task
        m[k] = [t, None, s] if _ql == 3 else [t, None, None, s]
        q.poller.register(s, 1)  # select.POLLIN
        t.data = q  # (as _enqueue: the task is on this queue, for cancel())
    else:
        q.queue_read(s)
        if not _ql:  # learn the entry's layout from asyncio's own
            t = m.get(k)
            if type(t) is list and t[0] is core.cur_task and t[-1] is s and 3 <= len(t) <= 4:
                _ql = len(t)
    yield


def wait_now(s, ms):
    """Block up to ms until s is readable, where the event loop would only do the same: no
    task ready or due sooner, at most one other socket waited on (a server's listener:
    it wakes it too). -> True: s alone is readable; False: not (ms <= 0, more waiters, the
    other one ready: then await wait_readable(s)). Saves a reused connection's GET, a
    WebSocket's read loop, their trips through the loop."""
    if _solo is not None:  # (the one-task loop: only its queued tasks could be due)
        if _sw is not None:  # another task waits (its poller's one entry)
            return False
        t = _task_queue.peek()
        p = _poller
        m = ()
    else:
        core = _core or _aio()
        q = core._io_queue
        m = q.map
        if len(m) > 1:  # more waiters (a server's clients): the loop's one poll serves all
            return False
        t = core._task_queue.peek()
        p = q.poller
    if t is not None:
        t = time.ticks_diff(t.ph_key, time.ticks_ms())
        if t < ms:
            ms = t  # (False when that one is due first)
    if ms <= 0:
        return False
    if _tls:  # a TLS socket: its TCP socket where mbedTLS holds nothing (wait_readable)
        t = _tls.get(id(s))
        if t is not None:
            s = t[2](s, t[0], 1)
            if s is None:
                return True
    if id(s) in m:  # a task waits on s (a writer): its poller entry is not ours to change
        return False
    p.register(s, 1)  # select.POLLIN, in the loop's own poller (no other entry: nobody waits)
    try:
        ms = p.poll(ms)
    finally:
        p.unregister(s)  # (also on Ctrl-C: the loop's poller must not keep it)
    return len(ms) == 1 and ms[0][0] is s


def waiter(s):
    """-> w: w(ms) is wait_now(s, ms), quicker: the send() of a generator that looked up
    asyncio's objects once (a resumed generator has its frame: no frame, closure or
    allocation per call; a WebSocket's read loop waits once per message). What can change
    between two waits is checked at each: the other waiters, the first task due, a waiter on
    s itself. (The loop's queues and poller stay: a new_event_loop() drops the tasks whose
    waits these are.) wait_now itself each time on the one-task loop, before asyncio is seen
    (and so with a CPython port's wait_now) and for a TLS socket. (The generator is defined
    in here, named and with arguments as names interned already: no new name in this
    module's table, which grows at a step, nor among the interned ones.)"""
    def waiter(s, q, t):
        r = None
        if q is None:
            while True:
                r = wait_now(s, (yield r))
        m = q.map
        p = q.poller
        k = id(s)
        tms = time.ticks_ms
        tdf = time.ticks_diff
        n = len  # (a builtin: two lookups as a global here)
        while True:
            ms = yield r
            r = False
            if n(m) < 2:  # (as wait_now)
                d = t.peek()
                if d is not None:
                    d = tdf(d.ph_key, tms())
                    if d < ms:
                        ms = d
                if ms > 0 and k not in m:
                    p.register(s, 1)  # (as wait_now)
                    try:
                        ms = p.poll(ms)
                    finally:
                        p.unregister(s)
                    r = n(ms) == 1 and ms[0][0] is s

    if _solo is not None or _core is None or _tls and id(s) in _tls:
        s = waiter(s, None, None)
    else:
        s = waiter(s, _core._io_queue, _core._task_queue)
    s.send(None)
    return s.send


def wait_writable(s):
    global _sw, _sd
    if _tls:
        e = _tls.get(id(s))
        if e is not None:
            s = e[2](s, e[0], 4)
            if s is None:
                if _solo is not None:
                    _task_queue.push(cur_task)
                else:
                    _core._task_queue.push(_core.cur_task)
                yield
                return
    if _solo is not None and _sw is None:  # (as in wait_readable)
        _poller.register(s, 4)  # select.POLLOUT
        _sw = s
        _sd = 4
        _iow.append(cur_task)
        cur_task.data = _iow
        yield
        return
    yield (_core or _aio())._io_queue.queue_write(s)


def close(s):
    """Close s. Tasks waiting for it to be readable or writable wake up (and find it
    closed): the way to stop a reader. Cancelling it instead would drop the socket's whole
    poller entry, and with it a writer waiting on the same socket. (The one-task loop's
    task never waits while a socket is closed: it is the only one that runs.)"""
    e = _tls.pop(id(s), None) if _tls else None
    if e is not None:  # a TLS socket's waiters may be on its TCP socket
        e[2](s, e[0], 0)
    if _solo is not None and _iow and (_sw is s or e is not None and _sw is e[0]):
        _task_queue.push(_iow.pop())  # the one-task loop's waiter on s wakes (push: data None)
    core = _core
    if core is not None:
        q = core._io_queue
        for w in (s,) if e is None else (s, e[0]):
            sm = q.map.get(id(w))
            if sm is not None:
                q._dequeue(w)
                for t in sm[0], sm[1]:
                    if t is not None:
                        core._task_queue.push(t)
    try:
        s.close()
    except OSError:
        pass


def resolve(host, port, dgram=False):
    """-> (family, sockaddr). Blocking on MicroPython; any failure raises OSError (ESP32
    raises OSError with a negative number, the unix port '[addrinfo error N]')."""
    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM if dgram else socket.SOCK_STREAM)
    if not ai:
        raise OSError("no address for " + host)
    ai = ai[0]
    return ai[0], ai[-1]


def tcp_socket(family):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setblocking(False)
    return s


def mem_free():
    """Free GC heap in bytes, or None where there is no such bound (CPython)."""
    import gc
    return gc.mem_free()



def __getattr__(name):
    global _tls
    # The seam's less used defaults live in _porttls (tls_*, peer_cert), _portl (listening,
    # accepting, addresses) and _portx (UDP, options, files), loaded on first use: a plain
    # HTTP GET pays no RAM for them, a webSocket server none for _portx.
    # Found once, then bound here. net_ready has no default (boards define it): asked for
    # by every dial, it must not load _portx to find that out.
    if name == "net_ready":
        raise AttributeError(name)
    if name == "CancelledError" and "asyncio" not in sys.modules:
        class CancelledError(BaseException):
            """What a cancelled task of the one-task loop sees at its await (timeouts are
            a watchdog task cancelling the request's task: _aw.watch). asyncio's own class
            once asyncio has loaded (_aio)."""
        globals()[name] = CancelledError
        return CancelledError
    if name == "spawn" or name == "CancelledError":  # asyncio loads
        _aio()  # (and binds them)
        return globals()[name]
    if name[:4] == "tls_" or name == "peer_cert" or name == "read_file" \
            or name == "DEFAULT_CA_PATH":  # (files: the CA's, a certificate's)
        from . import _porttls as m
        _tls = m.WAITS
    elif name[0] in "al":  # addr, accept, listen, listen_socket, local_addr: a server's
        from . import _portl as m
    else:
        if name == "event":  # a second task: asyncio loads
            _aio()
        from . import _portx as m
    v = getattr(m, name)
    globals()[name] = v
    return v


try:
    from netstack_port import *  # noqa: F401,F403  per-runtime overrides
except ImportError:
    pass
