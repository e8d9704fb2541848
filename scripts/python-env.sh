# Sourced by the scripts: install the project (with the extras in $1) where pip may install it,
# and leave the interpreter to use in $PYTHON.
# - Inside a virtualenv, or with a Python that allows it (CI, pyenv, macOS): that Python.
# - With the Python of Debian 12+ or Ubuntu 23.04+, whose pip refuses to install outside a
#   virtualenv (PEP 668, "externally-managed-environment"): the project's own .venv, made once.

PYTHON=python3
if ! "$PYTHON" - <<'PY'
import os, sys, sysconfig
in_venv = sys.prefix != sys.base_prefix
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
sys.exit(1 if managed and not in_venv else 0)
PY
then
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv; then
      rm -rf .venv
      if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
        python3 -m venv .venv
      else
        echo "this Python needs a virtualenv, which needs the python3-venv package:" >&2
        echo "  sudo apt-get install python3-venv" >&2
        exit 1
      fi
    fi
    echo "using a virtualenv in $(pwd)/.venv (the system Python's pip installs nothing outside one)" >&2
  fi
  PYTHON=.venv/bin/python
  export VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH"  # as `activate` does, for child processes
fi
"$PYTHON" -m pip install -q -e ".$1"
