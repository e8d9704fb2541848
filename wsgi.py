"""Entry point for gunicorn: `gunicorn --preload wsgi:app`."""
import sys

from ivr import create_app
from ivr.flows import RegionsFileError
from ivr.settings import ConfigError
from ivr.store.migrate import check_ready

try:
    app = create_app()
    with app.app_context():
        check_ready()
except (ConfigError, RegionsFileError) as error:  # one line that names the setting, not a traceback
    print(f"ivr: {error}", file=sys.stderr, flush=True)
    sys.exit(1)
