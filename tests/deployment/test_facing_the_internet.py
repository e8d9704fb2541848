"""The reference deployment faces the internet: nginx (deploy/nginx-site.conf) sends HSTS, and slow
clients wait on it, not on the nodes, until it drops them at its timeouts; every webhook is answered.

Hundreds of sockets send unfinished headers or a body a byte a second. Reached directly, they would take
every thread of the nodes (2 nodes x 2 workers x 4 threads here); through the proxy they never reach
a node. The template's 10 s timeouts are shortened so that the test takes seconds, not minutes.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from ivr.qa.targets import ACCOUNT_SID
from tests.deployment.slow import HEADER_START, SlowClients
from tests.deployment.topology import nginx, nginx_binary, node
from tests.serving import free_port, ivr

pytestmark = pytest.mark.deployment

TOKEN = "slow-clients-token"
TIMEOUTS = {"client_body_timeout": "5s"}  # the template's 10 s; its header timeout (10 s) stays
THREADS = ("--preload", "-w", "2", "-k", "gthread", "--threads", "4")
HEADERS, BODIES = 250, 170  # as many as froze gunicorn reached directly (issue 21)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, database):
    if not nginx_binary() or not shutil.which("openssl"):
        pytest.skip("nginx and openssl are needed (Debian: apt-get install nginx openssl)")
    folder = tmp_path_factory.mktemp("slow-clients")
    port = free_port()
    proxy = f"https://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IVR_", "TWILIO_"))}
    env.update({"IVR_DATABASE_URL": database, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "IVR_PUBLIC_URL": proxy, "IVR_TRUSTED_PROXIES": "1", "IVR_SECRET_KEY": "shared-secret",
                "IVR_INSTANCE_DIR": str(folder)})  # fmt: skip
    ivr(env, "db", "upgrade")
    with node(env, "a", folder / "a", THREADS) as a, node(env, "b", folder / "b", THREADS) as b:
        with nginx(folder / "nginx", [a, b], port, TIMEOUTS):
            yield proxy, port, folder / "nginx"


def dial(proxy: str, ca: Path, n: int) -> requests.Response:
    """A signed first webhook of a new call."""
    url = proxy + "/twilio/voice?locale=ru"
    form = {
        "CallSid": f"CA{n:032d}",
        "AccountSid": ACCOUNT_SID,
        "From": "+79160000000",
        "CallStatus": "ringing",
    }
    signed = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, form)}
    return requests.post(url, data=form, headers=signed, verify=ca, timeout=10)


def test_slow_clients_wait_on_the_proxy_and_are_dropped_while_every_webhook_is_answered(proxied):
    proxy, port, folder = proxied
    ca = folder / "proxy.crt"
    slow = SlowClients(port, ca, HEADERS, BODIES)
    attack = threading.Thread(target=slow.run, daemon=True)
    attack.start()
    try:
        assert slow.filled.wait(120) and slow.refused == 0
        # A body a byte a second never pauses for the body timeout: nginx holds these sockets, and no
        # node sees their requests, so webhooks go on being answered.
        bodies = sum(start != HEADER_START for start in slow.open.values())
        assert bodies == BODIES, f"{BODIES - bodies} trickling bodies dropped"
        answers = [dial(proxy, ca, n) for n in range(10)]
        assert all(r.status_code == 200 and "<Response>" in r.text for r in answers)
        assert len(slow.open) >= BODIES, f"{len(slow.open)} slow sockets open"
        # Headers unfinished after 10 s, and bodies that stop for over 5 s: nginx drops them all.
        slow.quiet.set()
        deadline = time.monotonic() + 30
        while slow.open and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not slow.open, f"{len(slow.open)} slow sockets still open"
    finally:
        slow.close()
    assert slow.closed == slow.opened == HEADERS + BODIES
    # Each was ended by nginx with its 408 (Request Time-out); none was passed on to a node.
    timed_out = sum('" 408 ' in line for line in (folder / "access.log").read_text().splitlines())
    assert timed_out == HEADERS + BODIES


def test_every_answer_through_the_proxy_carries_one_hsts_header(proxied):
    proxy, _, folder = proxied
    ca = folder / "proxy.crt"
    for response in (dial(proxy, ca, 99), requests.get(proxy + "/console/login", verify=ca, timeout=10),
                     requests.get(proxy + "/no/such/page", verify=ca, timeout=10)):  # fmt: skip
        # The node's own header is hidden: two would read "max-age=..., max-age=..." here.
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000", response.url
