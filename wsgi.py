"""Entry point for gunicorn: `gunicorn --preload wsgi:app`."""

import sys

from ivr import create_app, warn_if_refusing_calls
from ivr.flows import RegionsFileError
from ivr.runtime import runtime
from ivr.settings import ConfigError
from ivr.store.database import engine
from ivr.store.migrate import check_ready

# gunicorn halts ("App failed to load.") when a worker exits with 4; any other code, and without
# --preload it would boot worker after worker on the same bad setting.
APP_LOAD_ERROR = 4

try:
    app = create_app()
    sessions = runtime(app).sessions
    check_ready(sessions)
    engine(sessions).dispose()  # --preload forks the workers from here: none may inherit this connection
    warn_if_refusing_calls(app)  # after the checks: a start that fails says one line, its error
except (ConfigError, RegionsFileError) as error:  # one line that names the setting, not a traceback
    print(f"ivr: {error}", file=sys.stderr, flush=True)
    sys.exit(APP_LOAD_ERROR)
