"""The socket's rules again, with the streams on `ivr streams serve`'s asyncio loop instead of flask-sock."""

import os
import re
import subprocess
import sys

import pytest
import requests

from tests.stream.conftest import call_row
from tests.stream.test_socket import (  # noqa: F401 - collected here, against this module's sockets
    eventually,
    test_a_dropped_stream_puts_the_call_on_record_from_the_next_question,
    test_a_peer_that_breaks_the_protocol_or_is_not_our_call_is_closed,
    test_a_second_stream_for_the_same_call_takes_over_and_the_first_stops_quietly,
    test_a_started_stream_makes_the_call_live_and_a_stop_ends_it_quietly,
    test_a_stream_for_an_ended_call_is_closed,
    test_an_upgrade_without_a_good_signature_is_refused_with_403_before_upgrading,
    test_streams_over_the_process_cap_are_refused_with_503,
    test_the_upgrade_signature_covers_the_query,
)


@pytest.fixture
def sockets(asyncio_sockets):
    return asyncio_sockets


def streams_active(sockets) -> float:
    scraped = requests.get(f"http://{sockets}/metrics", timeout=5)
    assert scraped.status_code == 200
    return float(re.search(r"^ivr_streams_active (\S+)$", scraped.text, re.M).group(1))


def test_the_stream_process_answers_health_and_its_own_metrics_and_nothing_else(app, sockets, streamed):
    before = streams_active(sockets)
    call = streamed()
    call.dial()
    assert eventually(lambda: call_row(app, call.sid).listen == "live")
    assert streams_active(sockets) == before + 1
    assert requests.get(f"http://{sockets}/healthz", timeout=5).text == "ok\n"
    assert requests.get(f"http://{sockets}/twilio/voice", timeout=5).status_code == 404


@pytest.mark.settings(IVR_METRICS_TOKEN="scrape-token")
def test_the_stream_process_metrics_need_the_bearer_token_when_one_is_set(sockets):
    assert requests.get(f"http://{sockets}/metrics", timeout=5).status_code == 401
    bearer = {"Authorization": "Bearer scrape-token"}
    assert requests.get(f"http://{sockets}/metrics", headers=bearer, timeout=5).status_code == 200


def test_the_stream_process_refuses_to_start_on_a_record_line(tmp_path):
    env = {**os.environ, "IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "IVR_LISTEN": "record"}
    done = subprocess.run([sys.executable, "-m", "ivr", "streams", "serve", "--port", "0"], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1 and "IVR_LISTEN: `ivr streams serve` needs stream" in done.stderr
