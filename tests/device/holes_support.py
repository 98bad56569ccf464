# Shared by the device scripts that need a heap with no free block much bigger than ~500 B
# (tools/devtest.py inlines it where a script says `# include: holes_support`): holes()
# fills the heap with 480 B bytearrays and frees every other one, so a PEM, a DER or a
# buffer of a few hundred bytes more cannot be allocated while a call's small objects fit;
# refill() gives the heap back.
import gc

slots = [None] * 1200  # made first: filling must not grow a list


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
    for j in range(1, i, 2):
        slots[j] = None
    gc.collect()


def refill():
    for j in range(len(slots)):
        slots[j] = None
    gc.collect()
