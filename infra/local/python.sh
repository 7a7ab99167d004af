# Sourced by install.sh and lock.sh (from the repository root): the Python they build the
# project's venv with (PYTHON, else python3.11, else python3), and pip's --find-links for
# the wheels PIP_FIND_LINKS offers (the CPU build of torch).
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
FIND_LINKS=()
if [ -n "${PIP_FIND_LINKS:-}" ]; then FIND_LINKS=(--find-links "$PIP_FIND_LINKS"); fi
