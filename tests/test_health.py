"""GET /healthz reports the database, the speech model per locale and the version."""

import pytest

from ivr import __version__
from ivr.runtime import runtime

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py


def test_healthz_reports_database_speech_and_version(client):
    body = client.get("/healthz").get_json()
    assert body["database"] == "ok" and body["version"] == __version__
    assert set(body["speech"]) >= {"ru", "en"}


def test_healthz_is_503_when_the_database_is_down(app, client):
    runtime(app).sessions.kw["bind"].dispose()
    runtime(app).sessions.configure(
        bind=__import__("sqlalchemy").create_engine("sqlite:////nonexistent/dir/x.db")
    )
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"].startswith("error")


def test_liveness_asks_nothing_of_the_database(app, client):
    runtime(app).sessions.kw["bind"].dispose()
    runtime(app).sessions.configure(
        bind=__import__("sqlalchemy").create_engine("sqlite:////nonexistent/dir/x.db")
    )
    live = client.get("/healthz/live")
    assert live.status_code == 200 and live.get_json()["status"] == "ok"
    ready = client.get("/healthz/ready")
    assert ready.status_code == 503 and ready.get_json()["database"].startswith("error")


def test_ready_when_the_database_answers_and_audio_can_be_stored(client):
    body = client.get("/healthz/ready").get_json()
    assert body["status"] == "ok" and body["storage"] == "ok" and body["database"] == "ok"


@pytest.mark.settings(IVR_RECORDINGS_DIR="/dev/null/recordings")
def test_not_ready_when_caller_audio_cannot_be_stored(client):
    ready = client.get("/healthz/ready")
    assert ready.status_code == 503 and ready.get_json()["storage"].startswith("error")
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz/live").status_code == 200


@pytest.mark.settings(TWILIO_AUTH_TOKEN=None)
def test_not_ready_while_refusing_calls_for_want_of_a_token(client):
    assert client.get("/healthz/ready").status_code == 503
    assert client.get("/healthz/live").status_code == 200


def test_ready_with_an_s3_store_and_not_ready_when_its_bucket_is_gone(settings, s3):
    import boto3

    from tests.conftest import migrated_app

    with migrated_app({**settings, **s3}) as app:
        client = app.test_client()
        assert client.get("/healthz/ready").get_json()["storage"] == "ok"
        bucket = s3["IVR_RECORDINGS_URL"].removeprefix("s3://").split("/")[0]
        boto3.client("s3", endpoint_url=s3["IVR_STORAGE_ENDPOINT_URL"]).delete_bucket(Bucket=bucket)
        ready = client.get("/healthz/ready")
        assert ready.status_code == 503 and ready.get_json()["storage"] == "error: RecordingsError"
