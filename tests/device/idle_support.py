# Shared by the idle-cost device scripts (`# include: idle_support`): what an idle second
# costs this process, from /proc (the unix port; where /proc cannot be read only the loop
# turns below are checked). Only definitions; asyncio, gc and time are looked up when
# these run.
#
# An idle second with a 1 ms poll (the unix port's poller with a TLS socket in it, before
# _porttls.WAITS) made 800-950 voluntary switches and 11-23 ms of CPU here (x64); idle
# without it: 1 switch and about 0.1-1.4 ms (reading /proc included). Bounds with room
# for a loaded machine (a poll that slept longer makes fewer switches, never more).
MAX_SWITCHES = 100
MAX_CPU_US = 5000
# Where /proc is not readable (the virtual board's files are its flash): the same poll made
# every turn of the loop take 1 ms or more (poll() waits 1 ms for the TLS socket when no
# file descriptor is ready), so 200 turns (sleep_ms(0)) took 200 ms and more; without it
# 3-10 ms here.
TURNS = 200
MAX_TURNS_MS = 120


def proc():
    # (voluntary context switches, CPU time in us) of this process, or None
    try:
        with open("/proc/self/status") as f:
            sw = [int(ln.split()[1]) for ln in f if ln.startswith("voluntary_ctxt")][0]
        with open("/proc/self/schedstat") as f:
            cpu = int(f.read().split()[0]) // 1000
        return sw, cpu
    except (OSError, IndexError, ValueError):
        return None


async def idle(what):
    gc.collect()
    await asyncio.sleep_ms(50)  # (whatever the last step left to do)
    t = time.ticks_ms()
    for i in range(TURNS):
        await asyncio.sleep_ms(0)
    t = time.ticks_diff(time.ticks_ms(), t)
    print("%s: %d loop turns: %d ms" % (what, TURNS, t))
    assert t < MAX_TURNS_MS, (what, t)
    a = proc()
    if a is None:
        return
    await asyncio.sleep_ms(1000)
    b = proc()
    sw, cpu = b[0] - a[0], b[1] - a[1]
    print("%s: idle 1 s: %d switches, %d us CPU" % (what, sw, cpu))
    assert sw < MAX_SWITCHES and cpu < MAX_CPU_US, (what, sw, cpu)
