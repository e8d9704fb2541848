#!/usr/bin/env bash
# Install what the tests need and run the whole suite (or the tests named). Used by README and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
command -v sox >/dev/null || need_apt+=(sox)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ] || need_apt+=(dovecot-imapd)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
command -v npm >/dev/null || need_apt+=(npm)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "missing Debian packages: ${need_apt[*]} (their tests will skip)" >&2
  fi
fi

# axe-core for the console's accessibility test, with npm, into a cache outside the checkout (the test
# finds it there, or at $AXE_CORE_JS: not IVR_, which the app would warn of as a typo); it is never
# fetched while the tests run.
AXE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/ivr/axe-core"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
  if command -v npm >/dev/null; then
    npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" axe-core@4.14.1 >/dev/null
  else
    echo "npm is missing: the accessibility test will skip (apt-get install npm)" >&2
  fi
fi
export AXE_CORE_JS="$AXE_DIR/node_modules/axe-core/axe.min.js"

. scripts/python-env.sh '[dev]'   # sets $PYTHON: this Python, or the project's .venv where pip needs one

# PostgreSQL tests run when a server answers on 127.0.0.1:5432 (CI always has one).
if [ -z "${IVR_TEST_POSTGRES_URL:-}" ] && "$PYTHON" - <<'PY' 2>/dev/null
import psycopg
psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
PY
then
  export IVR_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
fi

# Lint and format are part of the suite: a change that fails them fails CI.
"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .

# With arguments, pytest runs what they name. Without, every test in two stages, both always run:
# the suite, then the tests that start whole servers (nginx, gunicorn, `ivr serve`) or kill them
# (`ivr outbox send`), a minute or more each. --dist loadfile keeps each of their files on one worker,
# so a module's servers start once.
if (($#)); then
  exec "$PYTHON" -m pytest -n 2 "$@"
fi
servers=(tests/deployment tests/blackbox tests/test_serve_demo.py tests/outbox/test_kill.py)
status=0
"$PYTHON" -m pytest -n 2 "${servers[@]/#/--ignore=}" || status=$?
"$PYTHON" -m pytest -n 2 --dist loadfile "${servers[@]}" || status=$?
exit "$status"
