# netstack for MicroPython. Every target sets up .venv itself (tools/setup.sh) first.
PY      := .venv/bin/python
MPY     := .venv/bin/micropython
PORT    ?= /dev/ttyACM0

.PHONY: setup demo test mutate test-host test-device test-vboard test-board mpy size repl bench soak deploy clean

setup:
	@./tools/setup.sh

demo: setup mpy
	@$(PY) tools/demo.py

test: setup mpy
	@$(PY) tools/test_all.py

# a few deliberate bugs in proto and engine code, one at a time: each must fail some test
mutate: setup
	@$(PY) tools/mutate.py

test-host: setup
	@$(PY) -m pytest -q tests/host tests/peers

# the device rows of `make test`: 192k with the library as .mpy, 110k from a ROMFS image
test-device: setup mpy
	@$(PY) tools/devtest.py --mode unix --heapsize 192k --code mpy --peers && \
	 $(PY) tools/devtest.py --mode unix --heapsize 110k --code romfs --peers

test-vboard: setup mpy
	@$(PY) tools/devtest.py --mode vboard --heapsize 192k --code mpy --peers && \
	 $(PY) tools/devtest.py --mode vboard --heapsize 110k --code romfs --peers

test-board: setup mpy
	@$(PY) tools/devtest.py --mode board --port $(PORT) --peers

mpy: setup
	@$(PY) tools/build_mpy.py

size: setup
	@$(PY) tools/build_mpy.py --size

deploy: setup mpy
	@$(PY) tools/deploy.py --port $(PORT)

repl: setup
	@MICROPYPATH=.frozen:$(CURDIR)/lib $(MPY)

bench: setup mpy
	@$(PY) bench/run.py
	@$(PY) bench/ram.py
	@$(PY) bench/ws_run.py

# 25,000 sequential requests per style at 110k from .mpy, heap flat (tests/device/test_soak.py)
soak: setup mpy
	@$(PY) tools/soak.py

clean:
	rm -rf build .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
