#!/bin/sh
# Create .venv with everything from tools/requirements.txt. A second run only checks the stamp.
set -e
cd "$(dirname "$0")/.."
VENV=.venv
STAMP=$VENV/.req-stamp
if [ -f "$STAMP" ] && cmp -s tools/requirements.txt "$STAMP"; then
    exit 0
fi
PY=${PYTHON:-python3}
[ -x $VENV/bin/python ] || $PY -m venv $VENV
$VENV/bin/pip install -q --disable-pip-version-check -r tools/requirements.txt
# pyserial and pyserial-labgrid both install `serial/`; whichever came last owns the files.
# labgrid wants its fork's (RFC 2217 fixes); mpremote, esptool and ampy work with it.
$VENV/bin/pip install -q --disable-pip-version-check --force-reinstall --no-deps \
    "$(grep '^pyserial-labgrid==' tools/requirements.txt)"
cp tools/requirements.txt "$STAMP"
echo "setup: .venv ready ($($VENV/bin/micropython -c 'import sys; print(sys.implementation.name, sys.version)'))"
