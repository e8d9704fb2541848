#!/usr/bin/env bash
# Install the app and run the hotline on SQLite with demo accounts (README's first command).
# Arguments go to `ivr serve`, e.g. --port 8000.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python-env.sh ''   # sets $PYTHON: this Python, or the project's .venv where pip needs one
exec "$PYTHON" -m ivr serve --demo "$@"
