#!/usr/bin/env bash
# Set up the project's virtual environment on Python 3.10, idempotently.
# Reinstalls only when requirements.lock or pyproject.toml changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
STAMP="$VENV/.stamp-install"

find_python() {
    local candidates=()
    [[ -n "${PYTHON:-}" ]] && candidates+=("$PYTHON")
    candidates+=(python3.10)
    if command -v pyenv >/dev/null 2>&1; then
        local v
        for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V -r); do
            candidates+=("$(pyenv root)/versions/$v/bin/python3.10")
        done
    fi
    candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)
    local c
    for c in "${candidates[@]}"; do
        if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; then
            echo "$c"
            return 0
        fi
    done
    return 1
}

fingerprint() {
    cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1
}

want="$(fingerprint)"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    exit 0
fi

if ! PY="$(find_python)"; then
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
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.lock"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT"
echo "$want" > "$STAMP"
echo "Environment ready."
