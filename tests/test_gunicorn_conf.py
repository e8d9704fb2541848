"""gunicorn's own bounds (ivr/gunicorn_conf.py): loopback unless told otherwise, and oversized requests
refused before the app. What gunicorn cannot bound, slow clients, is the proxy's (tests/deployment)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.serving import ROOT, free_port, gunicorn, ivr

# gunicorn's own reading of its command line and configuration file, without loading the app.
READ = ("import json; from gunicorn.app.wsgiapp import WSGIApplication as A; c = A('%(prog)s').cfg; "
        "print(json.dumps({k: str(s.get()) for k, s in c.settings.items()}))")  # fmt: skip


def settings(*options: str, cwd=ROOT) -> dict[str, str]:  # noqa: ANN001
    """The settings gunicorn would run wsgi:app with, started in `cwd` with these options."""
    done = subprocess.run([sys.executable, "-c", READ, *options, "wsgi:app"], cwd=cwd, capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    return json.loads(done.stdout)


@pytest.mark.parametrize("where", ["the checkout", "elsewhere"])
def test_gunicorn_listens_on_loopback_unless_told_otherwise(where, tmp_path):
    options = ("-c", "python:ivr.gunicorn_conf") if where == "elsewhere" else ()
    env_cwd = ROOT if where == "the checkout" else tmp_path
    found = settings(*options, cwd=env_cwd)
    assert found["bind"] == "['127.0.0.1:8000']"
    assert (found["timeout"], found["graceful_timeout"], found["keepalive"]) == ("30", "20", "2")
    assert found["limit_request_fields"] == "50"
    assert settings(*options, "-b", "10.0.0.11:8000", cwd=env_cwd)["bind"] == "['10.0.0.11:8000']"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn-limits")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("IVR_", "TWILIO_"))},
           "IVR_DATABASE_URL": f"sqlite:///{folder / 'ivr.sqlite3'}", "IVR_DEMO": "1",
           "IVR_INSTANCE_DIR": str(folder)}  # fmt: skip
    ivr(env, "db", "upgrade")
    with gunicorn(env, free_port(), workers=1, threads=2) as server:
        yield server.base.rsplit(":", 1)[1]


def status(port: str, request: bytes) -> str:
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as s:
        s.sendall(request)
        return s.recv(200).split(b"\r\n", 1)[0].decode()


@pytest.mark.parametrize(
    ("fields", "path", "expected"),
    [
        (10, "/healthz", "200"),
        (49, "/healthz", "200"),
        (51, "/healthz", "431"),
        (10, "/healthz?" + "a" * 5000, "414"),
    ],
)
def test_requests_beyond_gunicorns_limits_are_refused(served, fields, path, expected):
    headers = b"".join(b"X-Field-%d: x\r\n" % n for n in range(fields - 1))
    line = status(
        served, f"GET {path} HTTP/1.1\r\n".encode() + b"Host: x\r\n" + headers + b"Connection: close\r\n\r\n"
    )
    assert line.split()[1] == expected, line
