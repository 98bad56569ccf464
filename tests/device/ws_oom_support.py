# Shared by test_ws_oom.py and test_ws_oom_frag.py (tools/devtest.py inlines it where a
# script says `# include: ws_oom_support`): until(ev, names) runs the loop until an event
# of one of those names is in the list ev (up to 10 s).
import netstack
from netstack import _port


def until(ev, names):
    async def w():
        for _ in range(2000):
            if [e for e in ev if e[0] in names]:
                return
            await _port.sleep_ms(5)
        raise AssertionError("no %s: %r" % (names, ev))
    netstack.run(w())
