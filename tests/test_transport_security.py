"""HSTS: the app tells browsers to keep to TLS when, and only when, its public URL is https."""

import pytest

from tests.conftest import PUBLIC_URL

PAGES = ("/healthz", "/console/login", "/twilio/voice")  # a health check, a console page, a refused webhook


def test_a_line_published_over_https_sends_strict_transport_security_on_every_answer(client):
    assert PUBLIC_URL.startswith("https://")
    for path in PAGES:
        response = client.get(path) if path != "/twilio/voice" else client.post(path, data={})
        assert response.headers.get("Strict-Transport-Security") == "max-age=31536000", path
    assert client.post("/twilio/voice", data={}).status_code == 403  # unsigned, and told so over TLS too


@pytest.mark.settings(IVR_PUBLIC_URL="http://127.0.0.1:5000")
def test_a_line_published_over_plain_http_sends_none(client):
    for path in PAGES:
        response = client.get(path) if path != "/twilio/voice" else client.post(path, data={})
        assert "Strict-Transport-Security" not in response.headers, path
