# on/once/off for every OpenHarmony object with events.
# OpenHarmony's code keeps one listener per event type; its docs describe several, and
# netstack follows the docs (docs/api-choices.md): listeners of one type are kept in
# registration order, off(type, cb) removes that one, off(type) removes them all.
from ._err import param
from . import _err  # _err: also the log lines (netstack._log)


class Emitter:
    EVENTS = ()  # the event names this object emits; other names are ignored
    _ls = None   # {type: [[callback, once], ...]}, made on first on()

    def on(self, type, callback):
        self._add(type, callback, False)

    def once(self, type, callback):
        self._add(type, callback, True)

    def _add(self, type, callback, once):
        if not isinstance(type, str) or not callable(callback):
            raise param("on(type: str, callback: function)")
        if type not in self.EVENTS:
            return
        ls = self._ls
        if ls is None:
            ls = self._ls = {}
        ls.setdefault(type, []).append([callback, once])

    def off(self, type, callback=None):
        if not isinstance(type, str) or (callback is not None and not callable(callback)):
            raise param("off(type: str, callback?: function)")
        ls = self._ls
        if not ls or type not in ls:
            return
        if callback is None:
            del ls[type]
            return
        lst = ls[type]
        for i in range(len(lst)):
            if lst[i][0] == callback:
                del lst[i]
                break
        if not lst:
            del ls[type]

    def _has(self, type):
        ls = self._ls
        return ls is not None and type in ls

    def _emit(self, type, *args):
        ls = self._ls
        if not ls:
            return
        lst = ls.get(type)
        if not lst:
            return
        if len(lst) == 1 and not lst[0][1]:  # the common case, without a snapshot
            try:
                lst[0][0](*args)
            except Exception as e:
                _err.report(e, type)
            return
        # Walk a snapshot so a listener may call on/off; drop `once` entries before calling.
        for entry in tuple(lst):
            if entry[1]:
                try:
                    lst.remove(entry)
                except ValueError:
                    continue
            try:
                entry[0](*args)
            except Exception as e:
                _err.report(e, type)
        if not lst and ls.get(type) is lst:
            del ls[type]
