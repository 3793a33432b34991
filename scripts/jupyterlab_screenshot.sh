#!/usr/bin/env bash
# An executed lab notebook as JupyterLab shows it, in headless Chromium: one PNG.
# Needs JupyterLab (`jupyter` on PATH or as $3) and Debian's chromium.
# Usage: [HEIGHT=pixels] scripts/jupyterlab_screenshot.sh NOTEBOOK OUT.png [jupyter]
set -euo pipefail
nb=$(realpath "$1"); out=$(realpath -m "$2"); jupyter=${3:-jupyter}
port=$((18800 + RANDOM % 100)); token=screenshot
settings=$(mktemp -d)  # no "news?" pop-up over the outputs
mkdir -p "$settings/@jupyterlab/apputils-extension"
echo '{"fetchNews": "false"}' >"$settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
JUPYTERLAB_SETTINGS_DIR=$settings "$jupyter" lab --no-browser --allow-root --ip 127.0.0.1 --port $port \
    --ServerApp.token=$token --ServerApp.root_dir="$(dirname "$nb")" \
    >/tmp/jupyterlab.log 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/api?token=$token" >/dev/null && break; sleep 1; done
timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --window-size=1400,${HEIGHT:-1800} --virtual-time-budget=40000 \
    --screenshot="$out" \
    "http://127.0.0.1:$port/lab/tree/$(basename "$nb")?token=$token&reset" >/dev/null 2>&1
ls -la "$out"
