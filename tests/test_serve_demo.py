"""`ivr serve --demo` on a fresh machine: schema, demo accounts, a console login, the URLs."""

import os
import subprocess
import sys

import requests

from tests.serving import free_port, ivr


def test_demo_serves_the_hotline_with_accounts_and_a_console_login(tmp_path):
    env = {**os.environ, "IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("IVR_VOSK_MODEL", None)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivr", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        while not any("Running on" in line for line in lines):
            line = proc.stdout.readline()
            assert line, "ivr serve --demo stopped:\n" + "".join(lines)
            lines.append(line)
        out = "".join(lines)
        assert f"Twilio Voice URL (POST): http://127.0.0.1:{port}/twilio/voice" in out
        assert f"http://127.0.0.1:{port}/console/" in out and "console login 'demo'" in out
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["database"] == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "demo\tadmin" in ivr(env, "users", "list").stdout
    export = ivr(env, "readings", "export").stdout
    assert export.startswith("account,meter,zone,value,previous,consumption,received_at,")
