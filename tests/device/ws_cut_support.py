# Shared by test_ws_big_z.py and test_ws_big_zsrv.py (tools/devtest.py inlines it where a
# script says `# include: ws_cut_support`): cut(n) cuts the heap down to one run of n bytes
# -> the ballast, to keep while the run is used.
import gc


def cut(n):
    gc.collect()
    room = bytearray(n)  # the room in one run, kept while the rest of the heap is filled
    fill = []  # the ballast: the largest blocks the heap has, down to 256 B
    gc.disable()
    k = gc.mem_free()
    while k > 256:
        try:
            fill.append(bytearray(k))
            k = min(k, gc.mem_free())
        except MemoryError:
            k -= k >> 3
    gc.enable()
    room = None
    gc.collect()
    return fill
