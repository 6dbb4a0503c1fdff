#!/usr/bin/env bash
# Set up the Home Assistant test venv (.venv-ha, Python 3.13), idempotently: Home Assistant
# 2025.4 needs Python >= 3.13 and pins that clash with Rasa's, so it lives beside the project's
# venv. Reinstalls only when ha/requirements.lock changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HA_VENV:-$ROOT/.venv-ha}"
LOCK="$ROOT/ha/requirements.lock"
STAMP="$VENV/.stamp-install"

# shellcheck source=scripts/find_python.sh
source "$ROOT/scripts/find_python.sh"
# shellcheck source=scripts/install_locked.sh
source "$ROOT/scripts/install_locked.sh"

want="$( (cat "$LOCK"; echo "${BASH_SOURCE[0]##*/}") | sha256sum | cut -d' ' -f1)"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    exit 0
fi

if ! PY="$(find_python 13 "${HA_PYTHON:-}")"; then
    cat >&2 <<'MSG'
error: Python 3.13 was not found (the Home Assistant tests need it).
Home Assistant 2025.4, which the integration in custom_components/ is tested against, runs on
Python 3.13 only (ha/requirements.lock pins it). Rasa itself stays on Python 3.10 in .venv.
Install it, then run this command again. Any of these works:
  - pyenv install 3.13        (if you use pyenv)
  - sudo apt install python3.13 python3.13-venv   (where your distribution has it)
  - or point to an interpreter: HA_PYTHON=/path/to/python3.13 make test
MSG
    exit 2
fi

echo "Setting up $VENV with $("$PY" --version 2>&1) for the Home Assistant tests (first run: about a minute)..."
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PY" -m venv "$VENV"
fi
# Every package is pinned in the lock (pip freeze of one resolve): no resolve, no surprises.
install_locked "$VENV" "$LOCK" --no-deps
"$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check >&2; exit 1; }
echo "$want" > "$STAMP"
echo "Home Assistant test environment ready."
