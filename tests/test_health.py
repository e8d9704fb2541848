"""GET /healthz reports the database, the speech model per locale and the version."""

from ivr import __version__


def test_healthz_reports_database_speech_and_version(client):
    body = client.get("/healthz").get_json()
    assert body["database"] == "ok" and body["version"] == __version__
    assert set(body["speech"]) >= {"ru", "en"}


def test_healthz_is_503_when_the_database_is_down(app, client):
    app.extensions["ivr.db"].kw["bind"].dispose()
    app.extensions["ivr.db"].configure(
        bind=__import__("sqlalchemy").create_engine("sqlite:////nonexistent/dir/x.db")
    )
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"].startswith("error")
