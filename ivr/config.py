"""The hotline's settings: read from the environment once, validated, typed (docs/CONFIGURATION.md)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr import locales
from ivr.flows import Rules
from ivr.settings import ConfigError, Origin, number, origins, truthy
from ivr.settings.mail import IMAP_PORTS, SMTP_PORTS, MailSettings, server
from ivr.settings.telegram import TelegramSettings, telegram
from ivr.settings.text import TextLimits

log = logging.getLogger(__name__)

# The recording size cap: a minute of 16 kHz 16-bit audio is 1.9 MB.
RECORDING_MAX_BYTES = 2 * 1024 * 1024
# Settings with a per-locale or per-rule suffix, e.g. IVR_VOSK_MODEL_EN, IVR_RULE_HIGH_FACTOR.
FAMILIES = ("IVR_VOSK_MODEL_", "IVR_RULE_")
# Test-only settings, read by the test suite, never by the product.
NOT_SETTINGS = ("IVR_TEST_", "IVR_CLOCK", "IVR_REFRESH_SCREENSHOTS")


@dataclass(frozen=True)
class Config:
    database_url: str
    public_url: str | None
    account_sid: str | None
    auth_token: str | None
    demo: bool  # webhooks without TWILIO_AUTH_TOKEN are served only in demo mode
    locale: str
    timezone: ZoneInfo
    vosk_models: dict[str, str]
    models_dir: Path
    operator_number: str | None
    recording_origins: tuple[Origin, ...]
    regions_file: str | None
    recordings_dir: str
    recordings_url: str  # file:///path (recordings_dir) or s3://bucket/prefix
    storage_endpoint_url: str | None  # a non-AWS S3-compatible store
    recording_max_bytes: int
    recording_budget_s: float
    say_voice: str | None
    prompts_dir: str | None
    asr_min_confidence: float
    asr_min_margin: float
    secret_key: str | None
    login_max_failures: int
    login_window_s: float
    trusted_proxies: int
    node_name: str | None  # names this node in an X-IVR-Node response header
    listen: str  # record, or stream: the caller's audio over Twilio Media Streams
    twilio_api_url: str
    twilio_from: str | None  # the number notices by SMS and WhatsApp are sent from
    metrics_token: str | None  # /metrics needs `Authorization: Bearer <token>` when set
    log_format: str  # text, or json: one object per line
    retain_audio_days: int | None = None  # None: kept forever
    retain_caller_days: int | None = None
    pseudonym_key: str | None = None  # keys the HMAC that replaces old callers' numbers
    locales_dir: str | None = None  # more locale packs, besides the built-in ones
    text: TextLimits = field(default_factory=TextLimits)  # readings by text, every channel of the registry
    mail: MailSettings = field(default_factory=lambda: MailSettings(None, None, None, None))
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    rules: Rules = field(default_factory=Rules)

    @property
    def signed(self) -> bool:
        """Whether webhooks are signature-checked."""
        return bool(self.auth_token)

    @property
    def takes_calls(self) -> bool:
        """Refuse calls without a token: anyone could post a reading. Demo mode is the exception."""
        return self.signed or self.demo


# Every setting the hotline reads, with its parser; docs/CONFIGURATION.md documents each one.
def load(env: Mapping[str, object], instance: Path) -> Config:
    """Parse and check every setting; a bad one raises ConfigError naming the variable."""
    get = _Reader(env)
    locales_dir = get.folder("IVR_LOCALES_DIR")
    locale = get.choice("IVR_LOCALE", "ru", locales.available(locales_dir))
    recordings_dir = get.path("IVR_RECORDINGS_DIR") or str(instance / "recordings")
    config = Config(
        database_url=get.database_url("IVR_DATABASE_URL", f"sqlite:///{instance / 'ivr.sqlite3'}"),
        public_url=get.url("IVR_PUBLIC_URL"),
        account_sid=get.text("TWILIO_ACCOUNT_SID"),
        auth_token=get.text("TWILIO_AUTH_TOKEN"),
        demo=get.flag("IVR_DEMO"),
        locale=locale,
        timezone=get.timezone("IVR_TIMEZONE", "Europe/Moscow"),
        vosk_models=get.models(locale, locales_dir),
        models_dir=Path(get.text("IVR_MODELS_DIR") or "~/.cache/ivr/models").expanduser(),
        operator_number=get.text("IVR_OPERATOR_NUMBER"),
        recording_origins=get.parsed("IVR_RECORDING_URL_PREFIXES", "https://api.twilio.com/", origins),
        regions_file=get.path("IVR_REGIONS_FILE", must_exist=True),
        recordings_dir=recordings_dir,
        recordings_url=get.recordings_url("IVR_RECORDINGS_URL", recordings_dir),
        storage_endpoint_url=get.url("IVR_STORAGE_ENDPOINT_URL"),
        recording_max_bytes=int(get.number("IVR_RECORDING_MAX_BYTES", RECORDING_MAX_BYTES, 1)),
        recording_budget_s=get.number("IVR_RECORDING_BUDGET_S", 6.0, 0.1, 6.0),
        say_voice=get.text("IVR_SAY_VOICE"),
        prompts_dir=get.path("IVR_PROMPTS_DIR"),
        asr_min_confidence=get.number("IVR_ASR_MIN_CONFIDENCE", 0.5, 0.0, 1.0),
        asr_min_margin=get.number("IVR_ASR_MIN_MARGIN", 0.5, 0.0, 1.0),
        secret_key=get.text("IVR_SECRET_KEY"),
        login_max_failures=int(get.number("IVR_LOGIN_MAX_FAILURES", 5, 1)),
        login_window_s=get.number("IVR_LOGIN_WINDOW_S", 15 * 60, 1),
        trusted_proxies=int(get.number("IVR_TRUSTED_PROXIES", 0, 0, 5)),
        node_name=get.text("IVR_NODE_NAME"),
        listen=get.choice("IVR_LISTEN", "record", ["record", "stream"]),
        twilio_api_url=get.url("IVR_TWILIO_API_URL") or "https://api.twilio.com",
        twilio_from=get.text("IVR_TWILIO_FROM"),
        metrics_token=get.text("IVR_METRICS_TOKEN"),
        log_format=get.choice("IVR_LOG_FORMAT", "text", ["text", "json"]),
        retain_audio_days=get.days("IVR_RETAIN_AUDIO_DAYS"),
        retain_caller_days=get.days("IVR_RETAIN_CALLER_DAYS"),
        pseudonym_key=get.text("IVR_PSEUDONYM_KEY"),
        locales_dir=locales_dir,
        text=TextLimits(
            confirm_minutes=int(get.number("IVR_TEXT_CONFIRM_MINUTES", 60, 1, 7 * 24 * 60)),
            rate_limit=int(get.number("IVR_TEXT_RATE_LIMIT", 10, 1)),
            rate_window_minutes=int(get.number("IVR_TEXT_RATE_WINDOW_MINUTES", 60, 1)),
            max_chars=int(get.number("IVR_TEXT_MAX_CHARS", 480, 20, 10000)),
        ),
        rules=get.rules(),
        mail=get.mail(),
        telegram=telegram(
            get.text("IVR_TELEGRAM_BOT_TOKEN"),
            get.text("IVR_TELEGRAM_SECRET"),
            get.url("IVR_TELEGRAM_API_URL"),
        ),
    )
    if config.listen == "stream":
        # The stream moves live calls with the REST API and tells Twilio where to connect.
        needed = {"TWILIO_ACCOUNT_SID": config.account_sid, "TWILIO_AUTH_TOKEN": config.auth_token,
                  "IVR_PUBLIC_URL": config.public_url}  # fmt: skip
        missing = [name for name, value in needed.items() if not value]
        if missing:
            raise ConfigError(f"IVR_LISTEN: stream needs {' and '.join(missing)}")
    if config.retain_caller_days is not None and not config.pseudonym_key:
        raise ConfigError(
            "IVR_RETAIN_CALLER_DAYS: needs IVR_PSEUDONYM_KEY, the key of the callers' pseudonyms"
        )
    return config


def from_environ(instance: Path | None = None, overrides: Mapping[str, object] | None = None) -> Config:
    """Settings from os.environ, with overrides (tests, `ivr replay`) winning."""
    if instance is None:  # the CLI without an app: the instance folder Flask would use
        from flask import Flask

        instance = Path(instance_dir(overrides) or Flask("ivr").instance_path)
    env = {**os.environ, **{k: v for k, v in (overrides or {}).items() if k not in ("IVR_CLOCK",)}}
    config = load(env, instance)
    locales.use(config.locales_dir)  # this process's packs: the built-in ones and IVR_LOCALES_DIR's
    for name in sorted(k for k in env if k.startswith("IVR_") and not known(k)):
        log.warning("%s is not a setting of this hotline (a typo?); it is ignored", name)
    return config


def instance_dir(overrides: Mapping[str, object] | None = None) -> str | None:
    """IVR_INSTANCE_DIR, absolute; None leaves Flask's `instance/` beside the package."""
    value = _Reader({**os.environ, **(overrides or {})}).text("IVR_INSTANCE_DIR")
    return str(Path(value).resolve()) if value else None


def names() -> set[str]:
    """Every setting's name; per-locale models are written IVR_VOSK_MODEL_<LOCALE>."""
    load({}, Path("instance"))  # reading the defaults names every setting
    instance_dir({})
    return _Reader.READ | {"IVR_VOSK_MODEL_<LOCALE>"}


def known(name: str) -> bool:
    return name in _Reader.READ or name.startswith(FAMILIES + NOT_SETTINGS)


class _Reader:
    """Reads settings by name, remembering every name read, so the docs can be checked."""

    READ: set[str] = set()

    def __init__(self, env: Mapping[str, object]) -> None:
        self.env = env

    def raw(self, name: str) -> object | None:
        _Reader.READ.add(name)
        value = self.env.get(name)
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        return None if value is None else str(value).strip()

    def flag(self, name: str) -> bool:
        return truthy(name, self.raw(name))

    def number(self, name: str, default: float, low: float | None = None,
               high: float | None = None) -> float:  # fmt: skip
        return number(name, self.raw(name), default, low, high)

    def parsed(self, name: str, default: str, parse):  # noqa: ANN001, ANN201
        value = self.raw(name)
        if isinstance(value, (list, tuple)):  # overrides may pass a list
            value = ",".join(value)
        return parse(name, str(value).strip() if value is not None else default)

    def choice(self, name: str, default: str, allowed: list[str]) -> str:
        value = self.text(name) or default
        if value not in allowed:
            raise ConfigError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
        return value

    def path(self, name: str, must_exist: bool = False) -> str | None:
        value = self.text(name)
        if value and must_exist and not Path(value).is_file():
            raise ConfigError(f"{name}: no such file {value}")
        return value

    def folder(self, name: str) -> str | None:
        value = self.text(name)
        if value and not Path(value).is_dir():
            raise ConfigError(f"{name}: no such folder {value}")
        return value

    def days(self, name: str) -> int | None:
        if self.raw(name) is None:
            return None
        return int(number(name, self.raw(name), 0, 1, 36500))

    def recordings_url(self, name: str, folder: str) -> str:
        value = self.text(name) or Path(folder).resolve().as_uri()
        parts = urlsplit(value)
        if parts.scheme == "s3" and parts.netloc or parts.scheme == "file" and parts.path.startswith("/"):
            return value
        raise ConfigError(f"{name}: {value!r} is neither file:///path nor s3://bucket/prefix")

    def url(self, name: str) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{name}: {value!r} is not an http(s) URL with a host")
        return value.rstrip("/")

    def database_url(self, name: str, default: str) -> str:
        value = self.text(name) or default
        if not value.startswith(("sqlite:", "postgresql")):
            raise ConfigError(f"{name}: only sqlite:/// and postgresql+psycopg:// URLs are supported")
        return value

    def timezone(self, name: str, default: str) -> ZoneInfo:
        value = self.text(name) or default
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{name}: {value!r} is not a time zone such as Europe/Moscow") from None

    def models(self, default_locale: str, locales_dir: str | None) -> dict[str, str]:
        paths = {}
        if model := self.text("IVR_VOSK_MODEL"):
            paths[default_locale] = model
        for key in sorted(self.env):
            if key.startswith("IVR_VOSK_MODEL_") and (model := str(self.env[key] or "").strip()):
                locale = key.removeprefix("IVR_VOSK_MODEL_").lower()
                if locale not in locales.available(locales_dir):
                    raise ConfigError(f"{key}: no locale pack {locale!r}")
                paths[locale] = model
        return paths

    def mail(self) -> MailSettings:
        imap = server("IVR_IMAP_URL", self.text("IVR_IMAP_URL"), IMAP_PORTS, self.text("IVR_IMAP_USER"),
                      self.text("IVR_IMAP_PASSWORD"))  # fmt: skip
        smtp = server("IVR_SMTP_URL", self.text("IVR_SMTP_URL"), SMTP_PORTS, self.text("IVR_SMTP_USER"),
                      self.text("IVR_SMTP_PASSWORD"))  # fmt: skip
        return MailSettings(imap, smtp, self.text("IVR_MAIL_FROM"), self.path("IVR_MAIL_CA_FILE", must_exist=True),
                            self.number("IVR_MAIL_INTERVAL_S", 60.0, 1.0), self.text("IVR_MAIL_DONE_FOLDER"),
                            self.number("IVR_MAIL_TIMEOUT_S", 30.0, 1.0, 300.0),
                            self.text("IVR_MAIL_FAILED_FOLDER") or "Failed")  # fmt: skip

    def rules(self) -> Rules:
        overrides = {}
        for f in fields(Rules):
            name, default = f"IVR_RULE_{f.name.upper()}", getattr(Rules, f.name)
            if isinstance(default, bool):
                raw = self.raw(name)
                overrides[f.name] = default if raw is None else truthy(name, raw)
            else:
                overrides[f.name] = number(name, self.raw(name), default, 0.0)
        return Rules(**overrides)
