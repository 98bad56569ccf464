# The seam's defaults that only asyncio's loop needs, loaded with asyncio (_port._aio): a
# program that never loads asyncio (_port's one-task loop) pays no RAM for them, and one
# that does pays none for that loop's own state.
_core = None  # asyncio.core: set by _port._aio, which loads this module (no import of _port
# here: no import cycle)


def run(aw):
    # _port.run_until_complete's way once asyncio has loaded.
    # Not asyncio.run(): that makes a new loop and would drop tasks started by callbacks.
    # (What asyncio's Loop.run_until_complete does, without its two calls around it.)
    core = _core
    if aw.__class__ is core.Task:  # (its C type: no subclasses; not a builtin's name)
        return core.run_until_complete(aw)
    t = core.Task(aw, core.__dict__)
    if core.cur_task is None and core._task_queue.peek() is None and not core._io_queue.map:
        # An idle loop: the task's first step runs here, as the loop would run it next
        # (nothing else could run first). One that ends there (a reused connection's GET
        # whose response came while it blocked in wait_now) never enters the loop (~17k
        # instructions); else the loop goes on with it where it waits.
        v = _step(t)
        if v is not _step:
            return v
    else:
        core._task_queue.push(t)
    return core.run_until_complete(t)


def _step(t):  # -> the value, or _step itself: it waits (the try here: within 11 words)
    _core.cur_task = t
    try:
        t.coro.send(None)
    except StopIteration as e:
        _core.cur_task = None
        t.state = False  # (done, awaited: as the loop leaves its main task)
        return e.value
    except BaseException:
        _core.cur_task = None
        t.state = False
        raise
    _core.cur_task = None
    return _step


def move(g):
    # _port's one-task loop's tasks onto asyncio's loop, once asyncio has loaded (g: _port's
    # globals, the loop's state: no import of _port here): its queue (tasks to run, asleep,
    # watchdogs) and the task waiting for its socket. Here, not in _port: a program that
    # never loads asyncio carries no bytecode for it
    e = _core
    e.Task(None, e.__dict__)  # (Task.cancel() reads the context last given: asyncio's now)
    q = g["_task_queue"]
    while q.peek() is not None:
        d = q.pop()
        e._task_queue.push(d, d.ph_key)
    s = g["_sw"]
    if s is not None:
        g["_poller"].unregister(s)
        q = g["_iow"]
        if q:  # (else cancelled meanwhile: queued above)
            e.cur_task = q.pop()  # (asyncio's queue_read/_write enqueue its cur_task)
            if g["_sd"] == 1:
                e._io_queue.queue_read(s)
            else:
                e._io_queue.queue_write(s)
            e.cur_task = None
        g["_sw"] = None
