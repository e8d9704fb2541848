"""Log lines mask phone numbers and addresses, whichever logger writes them; the rest stays readable."""

import logging
import os
import sys

import pytest

from ivr import logs
from ivr.store.database import make_engine


@pytest.mark.parametrize("written", [
    "+79161234567", "8 (916) 123-45-67", "+7 916 123 45 67", "8-916-123-45-67", "9161234567",
    "%2B79161234567", "8+%28916%29+123-45-67", "8+(916)+123-45-67", "%2B7+916+123+45+67",
])  # fmt: skip
def test_a_number_in_any_written_or_url_encoded_format_is_masked(written):
    assert logs.scrub(f"POST /twilio/voice?From={written} HTTP/1.1") == (
        "POST /twilio/voice?From=+7 916 ***-**-67 HTTP/1.1"
    )


@pytest.mark.parametrize("line", [
    "[2026-11-17 12:00:00 +0300] [12345] [INFO] Booting worker with pid: 12345",
    "2026-11-17 12:00:00,123 ERROR ivr.telephony.webhooks: webhook /twilio/answer failed",
    'call CA0000000000000000000000000000000001 turn 3: recording RE11111111111111111111111111111111',
    '127.0.0.1 - - [17/Nov/2026:12:00:00 +0300] "POST /twilio/status HTTP/1.1" 204 0 "-" "TwilioProxy/1.1"',
    "account 100001 meter M-1: 99500 -> 5, took 0.123456789012 s",
])  # fmt: skip
def test_timestamps_sids_accounts_and_readings_are_left_alone(line):
    assert logs.scrub(line) == line


@pytest.mark.parametrize(("address", "masked"), [
    ("ул. Ленина, д. 1, кв. 1", "ул. Ленина, ***"),
    ("г. Москва, ул. Ленина д. 5, кв. 12", "г. Москва, ул. Ленина, ***"),
    ("пр. Ленинский, д. 3", "пр. Ленинский, ***"),
    ("ул. Чёрная, 1", "ул. Чёрная, ***"),
])  # fmt: skip
def test_an_address_is_masked_up_to_the_log_lines_own_words(address, masked):
    assert logs.scrub(f"params ('{address}', 7) refused") == f"params ('{masked}', 7) refused"


@pytest.mark.parametrize(("line", "masked"), [
    ("saved 12 Baker Street, Flat 3 for M-1", "saved 12 Baker Street, Flat, *** for M-1"),
    ("saved 5 Main St, Apt. 4B", "saved 5 Main St, Apt., ***"),
    ("a flat rate of 5 applies", "a flat rate of 5 applies"),  # English markers count only before a number
])  # fmt: skip
def test_an_english_flat_is_masked_with_the_english_pack_s_markers(line, masked):
    assert logs.scrub(line) == masked


def test_the_filter_masks_arguments_exceptions_and_gunicorn_style_dict_arguments():
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '"%(r)s" %(s)s', {"r": "GET /console/calls?caller=+79161234567", "s": "200"},
                               None)  # fmt: skip
    try:
        raise ValueError("no meter for ул. Ленина, д. 1, кв. 1 (+79161234567)")
    except ValueError:
        failed = logging.LogRecord("ivr", logging.ERROR, __file__, 1, "failed: %s", ("+79161234567",),
                                   sys.exc_info())  # fmt: skip
    assert logs.Masking().filter(record) and logs.Masking().filter(failed)
    text = logging.Formatter().format(record) + logging.Formatter().format(failed)
    assert "1234567" not in text and "д. 1" not in text
    assert '"GET /console/calls?caller=+7 916 ***-**-67" 200' in text and "ValueError" in text


def test_every_configured_handler_and_the_request_loggers_mask_after_install():
    handler = logging.StreamHandler()
    other = logging.getLogger("test.logs.other")
    other.addHandler(handler)
    try:
        logs.install()
        assert logs.MASKING in handler.filters
        assert all(logs.MASKING in logging.getLogger(n).filters for n in logs.REQUEST_LOGGERS)
    finally:
        other.removeHandler(handler)


def test_sqlalchemy_never_logs_bound_parameters_on_either_database(tmp_path):
    assert make_engine(f"sqlite:///{tmp_path / 'x.db'}").hide_parameters
    assert make_engine("postgresql+psycopg://ivr@127.0.0.1:1/ivr").hide_parameters


def test_a_warning_about_the_settings_is_json_too_when_the_logs_are(tmp_path):
    """The unknown-setting warning comes before the settings are read: it is JSON already."""
    import json
    import subprocess

    env = {**os.environ, "IVR_LOG_FORMAT": "json", "IVR_TYPO_SETTING": "1", "IVR_DEMO": "1",
           "IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "IVR_INSTANCE_DIR": str(tmp_path)}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", "from ivr import create_app; create_app()"], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert any("IVR_TYPO_SETTING" in line for line in lines), done.stderr
    assert all(json.loads(line)["level"] for line in lines), done.stderr
