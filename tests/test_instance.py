"""The instance folder (default database, recordings, secret key) goes where IVR_INSTANCE_DIR says."""

from ivr import create_app
from ivr.runtime import runtime


def test_ivr_instance_dir_holds_the_default_database_recordings_and_secret_key(tmp_path, monkeypatch):
    folder = tmp_path / "hotline"
    monkeypatch.setenv("IVR_INSTANCE_DIR", str(folder))
    for key in ("IVR_DATABASE_URL", "IVR_RECORDINGS_DIR", "IVR_SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    app = create_app({"RECOGNIZERS": {}})
    try:
        assert app.instance_path == str(folder)
        assert runtime(app).config.database_url == f"sqlite:///{folder / 'ivr.sqlite3'}"
        assert runtime(app).config.recordings_dir == str(folder / "recordings")
        assert (folder / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
    finally:
        runtime(app).sessions.kw["bind"].dispose()
