# The runner defines CFG before the first line: a dict, the peers' cfg with --peers, else {}.
assert isinstance(CFG, dict), type(CFG)
assert all(isinstance(key, str) for key in CFG), CFG
print("CFG keys:", " ".join(sorted(CFG)))
print("OK")
