"""Entry point for gunicorn: `gunicorn --preload -w 4 wsgi:app`.

A bad setting, an unreachable database or a schema behind this build stops gunicorn with one line,
`ivr: ...`, and exit code 4: gunicorn's "App failed to load", which halts it rather than booting
worker after worker.
"""
from ivr import startup

try:
    app = startup.serving_app()
except startup.ERRORS as error:
    startup.stop(error, startup.APP_LOAD_ERROR)
