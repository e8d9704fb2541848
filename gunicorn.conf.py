# gunicorn reads this file when started from the checkout: the hotline's settings and hooks (ivr/gunicorn_conf.py).
from ivr.gunicorn_conf import (  # noqa: F401
    bind,
    child_exit,
    graceful_timeout,
    keepalive,
    limit_request_field_size,
    limit_request_fields,
    limit_request_line,
    on_exit,
    timeout,
)
