# The seam's defaults that only asyncio's loop needs, loaded with asyncio (_port._aio): a
# program that never loads asyncio (one operation at a time: _port's loop of one task) pays
# no RAM for them, and one that does pays none for that loop's own state.
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


def park(waiting):
    # The current task waits, on none of asyncio's queues, until wake(waiting) (a list):
    # netstack.run()'s idle wait without asyncio.Event, whose module costs ~1 KB of heap
    # (the webSocket echo on a small heap, bench/ws_ram.py). As Event.wait: data = the list,
    # so that cancel() takes the task off it and runs it; wake() queues it to run (push
    # clears data). (The argument's name is asyncio's, interned by the firmware already.)
    t = _core.cur_task
    waiting.append(t)
    t.data = waiting
    yield


def wake(waiting):
    while waiting:
        _core._task_queue.push(waiting.pop())
