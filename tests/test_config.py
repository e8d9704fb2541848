"""Settings are read in one place, checked at start-up, and documented one for one."""

import logging
import re
from pathlib import Path

import pytest

from ivr import config, create_app
from ivr.flows.rules import Rules
from ivr.settings import ConfigError

DOC = Path(__file__).resolve().parents[1] / "docs" / "CONFIGURATION.md"


def load(**env) -> config.Config:
    return config.load(env, Path("instance"))


def test_rules_come_from_ivr_rule_settings_and_a_bad_one_is_named():
    assert load(IVR_RULE_HIGH_FACTOR="3", IVR_RULE_LOW_CONFIDENCE=0.6).rules == Rules(
        high_factor=3.0, low_confidence=0.6
    )
    with pytest.raises(ConfigError, match="IVR_RULE_HIGH_FACTOR: 'x' is not a number"):
        load(IVR_RULE_HIGH_FACTOR="x")


@pytest.mark.parametrize(("env", "message"), [
    ({"IVR_LOCALE": "RU"}, "IVR_LOCALE: 'RU' is not one of en, ko, ru"),
    ({"IVR_LOCALE": "de"}, "IVR_LOCALE: 'de' is not one of"),
    ({"IVR_TIMEZONE": "Moscow"}, "IVR_TIMEZONE: 'Moscow' is not a time zone"),
    ({"IVR_DATABASE_URL": "mysql://x/y"}, "IVR_DATABASE_URL: only sqlite"),
    ({"IVR_PUBLIC_URL": "hotline.example"}, "IVR_PUBLIC_URL: 'hotline.example' is not an http"),
    ({"IVR_RECORDING_BUDGET_S": "7"}, "IVR_RECORDING_BUDGET_S: '7' must be between"),
    ({"IVR_RECORDING_MAX_BYTES": "lots"}, "IVR_RECORDING_MAX_BYTES: 'lots' is not a number"),
    ({"IVR_ASR_MIN_CONFIDENCE": "2"}, "IVR_ASR_MIN_CONFIDENCE: '2' must be between 0.0 and 1.0"),
    ({"IVR_DEMO": "maybe"}, "IVR_DEMO: 'maybe' is not 1/0"),
    ({"IVR_REGIONS_FILE": "/nowhere/regions.csv"}, "IVR_REGIONS_FILE: no such file"),
    ({"IVR_VOSK_MODEL_DE": "/models/de"}, "IVR_VOSK_MODEL_DE: no locale pack 'de'"),
    ({"IVR_RECORDING_URL_PREFIXES": "https://user:pw@api.twilio.com/"}, "may not carry user info"),
    ({"IVR_RECORDING_URL_PREFIXES": "api.twilio.com/"}, "is not an http(s) URL with a host"),
    ({"IVR_RECORDING_URL_PREFIXES": " , "}, "no URL prefix given"),
    ({"IVR_RECORDINGS_URL": "http://bucket/x"}, "IVR_RECORDINGS_URL: 'http://bucket/x' is neither file:///path"),
    ({"IVR_RECORDINGS_URL": "s3:///x"}, "is neither file:///path nor s3://bucket/prefix"),
    ({"IVR_STORAGE_ENDPOINT_URL": "minio:9000"}, "IVR_STORAGE_ENDPOINT_URL: 'minio:9000' is not an http"),
    ({"IVR_RETAIN_AUDIO_DAYS": "0"}, "IVR_RETAIN_AUDIO_DAYS: '0' must be between 1"),
    ({"IVR_RETAIN_CALLER_DAYS": "90"}, "IVR_RETAIN_CALLER_DAYS: needs IVR_PSEUDONYM_KEY"),
])  # fmt: skip
def test_a_bad_setting_stops_the_start_with_one_line_naming_it(env, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load(**env)


def test_create_app_refuses_a_mistyped_locale_before_serving_anything(tmp_path):
    with pytest.raises(ConfigError, match="IVR_LOCALE"):
        create_app({"IVR_LOCALE": "RU", "IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


def test_an_unknown_ivr_variable_is_named_as_a_likely_typo(monkeypatch, caplog):
    monkeypatch.setenv("IVR_OPERATOR_NUMBR", "+74950000001")
    with caplog.at_level(logging.WARNING, "ivr.config"):
        config.from_environ(Path("instance"))
    assert "IVR_OPERATOR_NUMBR is not a setting of this hotline" in caplog.text


def test_recording_prefixes_allow_their_own_host_and_folder_only():
    [origin] = load(IVR_RECORDING_URL_PREFIXES="https://api.twilio.com/2010-04-01").recording_origins
    good = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
    assert origin.allows(good) and origin.allows(good.replace("api.twilio.com", "API.twilio.com:443"))
    for bad in ["https://api.twilio.com.evil.example/2010-04-01/x",
                "https://api.twilio.com@evil.example/2010-04-01/x",
                "https://user:pw@api.twilio.com/2010-04-01/x",
                "http://api.twilio.com/2010-04-01/x",
                "https://api.twilio.com:8443/2010-04-01/x",
                "https://api.twilio.com/2010-04-01-evil/x",
                "https://api.twilio.com/2010-04-01/../../x",
                "https://api.twilio.com/2010-04-01/%2e%2e/x",
                "https://api.twilio.com:x/2010-04-01/x"]:  # fmt: skip
        assert not origin.allows(bad), bad


def documented() -> set[str]:
    rows = re.findall(r"^\| `([A-Z_<>]+)`(?:, `([A-Z_<>]+)`)?", DOC.read_text(encoding="utf-8"), re.M)
    return {name for row in rows for name in row if name}


def test_every_setting_the_config_reads_is_documented():
    assert config.names() - documented() == set()


def test_the_documentation_names_no_setting_the_code_ignores():
    assert documented() - config.names() == set()


def test_recordings_go_to_the_recordings_folder_unless_a_store_url_names_another(tmp_path):
    assert load(IVR_RECORDINGS_DIR=str(tmp_path)).recordings_url == tmp_path.as_uri()
    assert load(IVR_RECORDINGS_URL="s3://b/calls").recordings_url == "s3://b/calls"
    unset = load()
    assert (unset.retain_audio_days, unset.retain_caller_days) == (None, None)  # kept forever
