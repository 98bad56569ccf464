# Shared by the device scripts that need a heap with no free block much bigger than ~500 B
# (tools/devtest.py inlines it where a script says `# include: holes_support`): holes()
# fills the heap with 480 B bytearrays and frees every other one, so a PEM, a DER or a
# buffer of a few hundred bytes more cannot be allocated while a call's small objects fit;
# refill() gives the heap back. Before freeing, holes() fills the runs of fewer than 16
# blocks the arrays could not take with floats (one 32 B block each): one next to a freed
# array made a hole of up to ~900 B, and whether one did depended on the library's layout
# (test_ws_tls_oom's CA file then fit once s3 moved _aw into _err).
import gc

slots = [None] * 1200  # made first: filling must not grow a list
bits = [None] * 600


def holes():
    gc.collect()
    i = 0
    try:
        while i < len(slots):
            slots[i] = bytearray(480)
            i += 1
    except MemoryError:
        pass
    assert i < len(slots), "heap not filled"
    k = 0
    try:
        while k < len(bits):
            bits[k] = k + 0.5
            k += 1
    except MemoryError:
        pass
    j = 1
    while j < i:  # (no range object: the heap is full)
        slots[j] = None
        j += 2
    gc.collect()


def refill():
    for j in range(len(slots)):
        slots[j] = None
    for j in range(len(bits)):
        bits[j] = None
    gc.collect()
