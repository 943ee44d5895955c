#!/usr/bin/env bash
# Everything the tests need beyond requirements.txt: test tools, Debian's Chromium, and the node
# packages of the Spark encoder harness and the viewer component (exact versions from their lockfiles).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
python -m pip install -q -r requirements.txt -r requirements-dev.txt
for dir in tests/spark_encoder custom_components/gradio_splat/frontend; do
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
done
