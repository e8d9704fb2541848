"""Recording download: allowed prefixes, Basic auth, retries, redirects, size and time limits."""

import base64
import io
import time
from pathlib import Path

import pytest
import responses

from ivr import config as ivr_config
from ivr.telephony.recordings import RecordingError, fetch_recording, redact

URL = "https://api.twilio.com/2010-04-01/Accounts/AC123/Recordings/RE456"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\0" * 40


def settings(env: dict) -> ivr_config.Config:
    return ivr_config.load(env, Path("instance"))


CONFIG = {
    "IVR_RECORDING_URL_PREFIXES": ["https://api.twilio.com/"],
    "TWILIO_ACCOUNT_SID": "AC123",
    "TWILIO_AUTH_TOKEN": "secret-token",
}


@responses.activate
def test_a_twilio_recording_is_fetched_with_basic_auth():
    responses.get(URL, body=WAV, content_type="audio/x-wav")
    assert fetch_recording(URL, settings(CONFIG)) == WAV
    sent = responses.calls[0].request.headers["Authorization"]
    assert sent == "Basic " + base64.b64encode(b"AC123:secret-token").decode()


@responses.activate
def test_no_auth_is_sent_without_twilio_credentials():
    responses.get(URL, body=WAV)
    fetch_recording(URL, settings({"IVR_RECORDING_URL_PREFIXES": ["https://api.twilio.com/"]}))
    assert "Authorization" not in responses.calls[0].request.headers


@responses.activate
@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/2010-04-01/Accounts/AC123/Recordings/RE456",
        "http://api.twilio.com/2010-04-01/Accounts/AC123/Recordings/RE456",
        "https://api.twilio.com.evil.example/Recordings/RE456",
        "file:///etc/passwd",
        "",
        "https://api.twilio.com/Recordings/RE456 https://evil.example/",
    ],
)
def test_urls_outside_the_allowed_prefixes_are_refused_without_a_request(url):
    with pytest.raises(RecordingError, match="recording URL refused"):
        fetch_recording(url, settings(CONFIG))
    assert len(responses.calls) == 0


@responses.activate
def test_prefixes_may_be_given_as_a_comma_separated_string():
    responses.get("http://127.0.0.1:9000/rec/1", body=WAV)
    config = {"IVR_RECORDING_URL_PREFIXES": "https://api.twilio.com/, http://127.0.0.1:9000/rec/"}
    assert fetch_recording("http://127.0.0.1:9000/rec/1", settings(config)) == WAV


@responses.activate
def test_a_recording_not_there_yet_is_retried_until_it_is():
    responses.get(URL, status=404)
    responses.get(URL, status=404)
    responses.get(URL, body=WAV)
    assert fetch_recording(URL, settings(CONFIG)) == WAV
    assert len(responses.calls) == 3


@responses.activate
def test_a_recording_that_never_appears_fails_within_the_time_budget():
    responses.get(URL, status=404)
    started = time.monotonic()
    with pytest.raises(RecordingError, match=r"still missing \(404\) after \d+ tries"):
        fetch_recording(URL, settings({**CONFIG, "IVR_RECORDING_BUDGET_S": 1.0}))
    assert time.monotonic() - started < 1.0
    assert len(responses.calls) >= 2


def test_a_slow_server_fails_within_the_time_budget():
    def slow(request):
        time.sleep(0.4)
        return 404, {}, b""

    # A mock of its own: the download given up on still ends in a pool thread after this test, and
    # must not be counted among the next test's requests.
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.GET, URL, callback=slow)
        started = time.monotonic()
        with pytest.raises(RecordingError):
            fetch_recording(URL, settings({**CONFIG, "IVR_RECORDING_BUDGET_S": 1.0}))
        assert time.monotonic() - started < 1.5


@responses.activate
@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirect_is_not_followed(status):
    responses.get(URL, status=status, headers={"Location": "https://evil.example/steal"})
    responses.get("https://evil.example/steal", body=WAV)
    with pytest.raises(RecordingError, match=f"redirected \\(HTTP {status}\\); not followed"):
        fetch_recording(URL, settings(CONFIG))
    assert [call.request.url for call in responses.calls] == [URL]


@responses.activate
@pytest.mark.parametrize("status", [401, 403, 500])
def test_other_http_errors_fail_at_once(status):
    responses.get(URL, status=status)
    with pytest.raises(RecordingError, match=f"HTTP {status}"):
        fetch_recording(URL, settings(CONFIG))
    assert len(responses.calls) == 1


@responses.activate
def test_a_body_declared_over_the_size_cap_is_refused():
    responses.get(URL, body=b"\0" * 2048, headers={"Content-Length": "2048"})
    with pytest.raises(RecordingError, match="too big: 2048 bytes, cap 1024"):
        fetch_recording(URL, settings({**CONFIG, "IVR_RECORDING_MAX_BYTES": 1024}))


class Endless(io.RawIOBase):
    """A body that never ends, counting what it served."""

    served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"\0" * len(buffer)
        self.served += len(buffer)
        return len(buffer)


@responses.activate
def test_a_streamed_body_over_the_size_cap_is_cut_off_early():
    body = Endless()
    responses.get(URL, body=io.BufferedReader(body))  # no Content-Length: only streaming finds out
    with pytest.raises(RecordingError, match="over the 65536-byte cap"):
        fetch_recording(URL, settings({**CONFIG, "IVR_RECORDING_MAX_BYTES": 65536}))
    assert body.served < 2 * 65536


@responses.activate
def test_the_default_size_cap_is_two_megabytes():
    responses.get(URL, body=b"\0" * (2 * 1024 * 1024 + 1))
    with pytest.raises(RecordingError, match="2097152-byte cap"):
        fetch_recording(URL, settings(CONFIG))


@responses.activate
def test_a_connection_failure_is_a_recording_error_without_the_url_secrets():
    with pytest.raises(RecordingError) as failure:
        fetch_recording(URL + "?token=abc", settings(CONFIG))
    assert "ConnectionError" in str(failure.value)
    assert "token" not in str(failure.value) and "secret" not in str(failure.value)


def test_logged_urls_lose_user_info_and_query():
    assert redact("https://AC1:tok@api.twilio.com/x/RE1?Sig=abc") == "https://api.twilio.com/x/RE1"
