# Shared by the netstack.socket device scripts (tools/devtest.py inlines it where a script
# says `# include: socket_support`): waiting for a condition, and the code an awaitable fails
# with. Only definitions: each script takes its CFG keys and imports after it (asyncio and
# BusinessError are looked up when these run), and sets WAIT_MS if until() may wait longer.
WAIT_MS = 5000


async def until(pred, ms=None):
    ms = WAIT_MS if ms is None else ms
    while not pred():
        if ms <= 0:
            raise AssertionError("condition not met in time")
        await asyncio.sleep_ms(5)
        ms -= 5


async def code(aw):
    try:
        await aw
    except BusinessError as e:
        return e.code
    raise AssertionError("no error")


def at_call(fn, *a):
    # the code a call raises at once (401: bad arguments, as OpenHarmony throws them)
    try:
        fn(*a)
    except BusinessError as e:
        return e.code
    raise AssertionError("no BusinessError at the call")
