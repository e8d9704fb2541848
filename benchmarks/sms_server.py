"""gunicorn target of benchmarks/sms.py: the production app (wsgi.py) and, beside it, a bare TwiML route
that does no work, so that one server shows what the SMS webhook costs above Flask and gunicorn."""

from flask import Response

from ivr.console import csrf
from wsgi import app

BARE = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>'


@app.post("/bench/bare")
@csrf.exempt  # as the Twilio webhooks are
def bare() -> Response:
    return Response(BARE, mimetype="text/xml")
