# netstack for MicroPython. Every target sets up .venv itself (tools/setup.sh) first.
PY      := .venv/bin/python
MPY     := .venv/bin/micropython
PORT    ?= /dev/ttyACM0
BOARD   ?=
MODE    ?= mpy
TOOL    ?= mpremote
# DRY_RUN=1: firmware and flash print their commands and run nothing
DRY     := $(if $(DRY_RUN),--dry-run)

.PHONY: setup demo test mutate test-host test-device test-vboard test-board mpy size repl bench soak deploy clean \
	firmware flash vboard package-json

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

# make test-board PORT=/dev/ttyACM0 [HOST=<this machine's LAN address>] [BOARD=] [CA=] [SECRETS=]
# PORT=vboard [MODE=romfs HEAP=110k]: a virtual board, the peers in a network namespace (a make test row)
test-board: setup mpy
	@$(PY) tools/test_board.py $(if $(filter vboard,$(PORT)),--vboard --netns,--port $(PORT)) \
		$(if $(HOST),--host $(HOST)) $(if $(BOARD),--board $(BOARD)) $(if $(CA),--ca $(CA)) \
		$(if $(SECRETS),--secrets $(SECRETS)) --mode $(MODE) $(if $(HEAP),--heapsize $(HEAP))

# OPT=3: mpy-cross -O3, no line numbers (tracebacks say line 1 of each function; module and
# function names stay): ~8.5 KB less .mpy and less heap from .mpy. For deploy; off by default
mpy: setup
	@$(PY) tools/build_mpy.py $(if $(OPT),--opt $(OPT))

# the .mpy sizes; by area against ced3d45, the start of issue 7's "the .mpy total does not grow"
size: setup
	@$(PY) tools/build_mpy.py --size --against ced3d45

# make deploy PORT=/dev/ttyACM0 [BOARD=RPI_PICO_W] [MODE=mpy|romfs] [TOOL=mpremote|ampy] [CA=ca.der]
#             [SECRETS=wifi_secrets.py] [BOOT=1: boards/<BOARD>/boot.py, main.py too] [OPT=3]
deploy: setup mpy
	@$(PY) tools/deploy.py --port $(PORT) --mode $(MODE) --tool $(TOOL) $(if $(BOARD),--board $(BOARD)) \
		$(if $(CA),--ca $(CA)) $(if $(SECRETS),--secrets $(SECRETS)) $(if $(BOOT),--boot)

# make firmware BOARD=ESP32_GENERIC|ESP32_GENERIC_S3|RPI_PICO_W MICROPYTHON_DIR=~/micropython [ROMFS=1]
firmware: setup
	@test -n "$(BOARD)" -a -n "$(MICROPYTHON_DIR)" || { echo "usage: make firmware BOARD=... MICROPYTHON_DIR=... [ROMFS=1]" >&2; exit 2; }
	@$(PY) tools/firmware.py --board $(BOARD) --micropython $(MICROPYTHON_DIR) $(if $(ROMFS),--romfs) $(DRY)

# make flash BOARD=ESP32_GENERIC PORT=/dev/ttyUSB0 FIRMWARE=build/firmware/ESP32_GENERIC.bin
# make flash BOARD=RPI_PICO_W FIRMWARE=x.uf2 [PORT=/dev/ttyACM0] [DRIVE=/media/$$USER/RPI-RP2]
flash: setup
	@test -n "$(BOARD)" -a -n "$(FIRMWARE)" || { echo "usage: make flash BOARD=... FIRMWARE=... PORT=..." >&2; exit 2; }
	@$(PY) tools/flash.py --board $(BOARD) --firmware $(FIRMWARE) --port $(PORT) $(if $(DRIVE),--drive $(DRIVE)) $(DRY)

# a virtual board on a pty at build/vboard/tty, library deployed to its flash (build/vboard/flash)
vboard: setup mpy
	@mkdir -p build/vboard/flash
	@$(PY) tools/vboard_up.py --heapsize $(or $(HEAP),192k) --dir build/vboard

package-json: setup
	@$(PY) tools/package_json.py

# the library as a board runs it (.mpy, with the native loops of ports/native); SRC=1: lib/ as
# source, edits seen without a build (webSocket masking then takes the plain-Python loops)
repl: setup
ifeq ($(SRC),1)
	@MICROPYPATH=.frozen:$(CURDIR)/lib $(MPY)
else
	@$(PY) tools/build_mpy.py >/dev/null && MICROPYPATH=.frozen:$(CURDIR)/build/lib $(MPY)
endif

bench: setup mpy
	@$(PY) bench/run.py
	@$(PY) bench/ram.py --names 40
	@$(PY) bench/ws_run.py
	@$(PY) bench/ws_ram.py
	@$(PY) bench/ws_autobahn.py
	@$(PY) bench/sock.py

# 25,000 sequential requests per style at 110k from .mpy, heap flat (tests/device/test_soak.py)
soak: setup mpy
	@$(PY) tools/soak.py

clean:
	rm -rf build .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
