"""State lives only in the database: any worker can take the next webhook of any call."""

import pytest
from sqlalchemy import select

from ivr import create_app
from ivr.qa.driver import FlaskTransport, TwilioCall
from ivr.store.models import Reading
from tests.conftest import ACCOUNT_SID, PUBLIC_URL, TOKEN
from tests.sessions import session

pytestmark = pytest.mark.both_databases


class Alternating:
    """Send each webhook to the next of several app instances, like a load balancer."""

    def __init__(self, apps):
        self.transports = [FlaskTransport(a) for a in apps]
        self.n = 0

    def post(self, url, params, headers):
        self.n += 1
        return self.transports[self.n % len(self.transports)].post(url, params, headers)


def test_two_app_instances_serve_alternate_webhooks_of_one_call(app, settings, recordings):
    other = create_app(settings)
    call = TwilioCall(
        Alternating([app, other]),
        PUBLIC_URL,
        caller="+79161234567",
        token=TOKEN,
        account_sid=ACCOUNT_SID,
        recordings=recordings,
    )
    call.dial()
    call.press("1")  # readings, keypad
    call.press("1")  # address confirmed
    call.press("1100#")
    assert call.press("1").waits_for == "hangup"
    with app.app_context():
        assert [r.value for r in session().scalars(select(Reading))] == [1100]
