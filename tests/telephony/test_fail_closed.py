"""Without TWILIO_AUTH_TOKEN the webhooks refuse calls and /healthz says why; demo mode takes them."""
import pytest
from sqlalchemy import func, select

from ivr.store.database import session
from ivr.store.models import Call
from tests.conftest import PUBLIC_URL

WEBHOOKS = ["/twilio/voice", "/twilio/answer?q=1", "/twilio/silence?q=1", "/twilio/repeat",
            "/twilio/status", "/twilio/fallback"]  # fmt: skip


@pytest.mark.settings(TWILIO_AUTH_TOKEN=None)
@pytest.mark.parametrize("path", WEBHOOKS)
def test_without_a_token_every_webhook_answers_503_and_stores_nothing(app, client, path, caplog):
    response = client.post(PUBLIC_URL + path, data={"CallSid": "CA" + "1" * 32, "From": "+79161234567"})
    assert response.status_code == 503
    with app.app_context():
        assert session().scalar(select(func.count()).select_from(Call)) == 0
    assert f"refused {path.split('?')[0]}: TWILIO_AUTH_TOKEN is not set" in caplog.text


@pytest.mark.settings(TWILIO_AUTH_TOKEN=None)
def test_without_a_token_healthz_is_503_and_says_calls_are_refused(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["twilio"] == "refusing calls: TWILIO_AUTH_TOKEN is not set"


@pytest.mark.settings(TWILIO_AUTH_TOKEN=None, IVR_DEMO="1")
def test_demo_mode_takes_unsigned_calls_and_healthz_says_so(client, phone):
    call = phone()
    call.validator = None  # nothing signs in a demo
    assert call.dial().waits_for in ("gather", "record")
    body = client.get("/healthz").get_json()
    assert body["twilio"] == "demo: webhooks are not signature-checked" and body["status"] == "ok"
