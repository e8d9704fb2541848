# gunicorn reads this file when started from the checkout: the hotline's hooks (ivr/gunicorn_conf.py).
from ivr.gunicorn_conf import child_exit, on_exit  # noqa: F401
