# http's PerformanceTiming, loaded when a response's performanceTiming is first read
# (http.HttpResponse.__getattr__) or http.PerformanceTiming is asked for: most programs
# never read a timing, so its class and names are not in RAM with the engine.


class PerformanceTiming:
    """Milliseconds from the request's start to each stage (0: the stage did not happen),
    worked out when read: most responses never have their timing looked at."""

    # " field:mark" for each field: the timing mark (_client.Exchange.timing) it ends at
    # (3: TLS, worked out below; 9: the end of the transfer, body or head). One string, not
    # a dict: no table and no name objects kept in RAM for what is rarely read.
    _MARKS = (" dnsTiming:1 tcpTiming:2 tlsTiming:3 firstSendTiming:4 firstReceiveTiming:5"
              " responseHeaderTiming:6 responseBodyTiming:7 totalFinishTiming:9 totalTiming:9"
              " redirectTiming:8")

    def __init__(self, t):
        self._t = t

    def __getattr__(self, name):
        m = PerformanceTiming._MARKS
        i = m.find(" %s:" % name)
        if i < 0 or ":" in name:
            raise AttributeError(name)
        i = ord(m[i + len(name) + 2]) - 48
        t = self._t
        if i == 3:  # TLS: from its start to the first byte after the handshake
            i = 5 if t[3] else 0
        elif i == 9:  # the end of the body, or of the head when there was no body
            i = 7 if t[7] else 6
        from time import ticks_diff
        return ticks_diff(t[i], t[0]) if i and t[i] else 0

    def __repr__(self):
        return "<PerformanceTiming %s>" % " ".join(
            "%s=%d" % (k, getattr(self, k))
            for k in sorted(f.split(":")[0] for f in PerformanceTiming._MARKS.split()))
