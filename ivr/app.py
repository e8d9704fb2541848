"""The composition root: the only module that knows every part. It reads the settings, builds the
sessions, speech, windows, clock and services once, and hands each blueprint the parts it uses."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from datetime import timedelta
from functools import partial
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ivr import channels, console, health, logs, monitoring, recordings
from ivr import clock as clocks
from ivr import config as settings
from ivr.calls import CallService
from ivr.calls.messages import MessageService
from ivr.calls.outbox import Deliverer
from ivr.clock import Clock
from ivr.console.clock import ConsoleClock
from ivr.console.parts import ConsoleParts, LoginLimits
from ivr.flows import RegionsFileError, load_regions
from ivr.runtime import KEY, Runtime, runtime
from ivr.settings import ConfigError
from ivr.speech import service as speech
from ivr.store import database
from ivr.telephony import media, webhooks

log = logging.getLogger("ivr")


def create_app(config: dict | None = None) -> Flask:
    """Create the hotline app: settings, storage, speech, webhooks and console.

    `config` overrides settings (by their environment names) and Flask's own keys; a bad setting
    raises ivr.settings.ConfigError naming it.
    """
    # Before anything logs (the settings warn of unknown names): no phone number or address in any
    # log line, and JSON from the first line when IVR_LOG_FORMAT says so.
    logs.install(str((config or {}).get("IVR_LOG_FORMAT") or os.environ.get("IVR_LOG_FORMAT", "text")))
    # The instance folder holds the default database, recordings and secret key: `instance/` beside
    # the package unless IVR_INSTANCE_DIR says otherwise (the tests keep it out of the checkout).
    instance = settings.instance_dir(config)
    app = Flask("ivr", instance_path=instance, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    overrides = dict(config or {})
    cfg = settings.from_environ(Path(app.instance_path), overrides)
    logs.install(cfg.log_format)
    app.config.update({k: v for k, v in overrides.items() if not k.startswith(("IVR_", "TWILIO_"))})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = cfg.secret_key or _instance_secret(Path(app.instance_path))

    try:
        windows = load_regions(cfg.regions_file, cfg.timezone)
    except RegionsFileError as error:  # names the line and field; the variable says which file
        raise ConfigError(f"IVR_REGIONS_FILE: {error}") from None
    sessions = database.init_app(app, cfg.database_url)
    # Tests and QA replays set the source; `clocks.wall` is looked up now, so a test may replace it.
    clock = Clock(cfg.timezone, overrides.get("IVR_CLOCK") or clocks.wall)
    calls = CallService(sessions, windows, cfg.rules, clock, operator=bool(cfg.operator_number))
    messages = MessageService(sessions, windows, cfg.rules, cfg.locale, clock, channels.TRAITS, cfg.text)
    streams = threading.BoundedSemaphore(media.MAX_STREAMS)
    outbox = Deliverer(sessions, clock, channels.notifiers(cfg), channels.mask)
    rt = Runtime(cfg, sessions, speech.load(cfg, overrides.get("RECOGNIZERS")), windows, calls, messages,
                 clock, streams, outbox)  # fmt: skip
    app.extensions[KEY] = rt  # for what builds the app: the CLI's app context, `ivr serve`, wsgi.py, QA
    voice = webhooks.init_app(app, rt)
    for webhook in channels.webhooks(rt):  # each text channel's, from the registry
        app.register_blueprint(webhook)
        console.csrf.exempt(webhook)  # it checks its channel's own signature instead
    media.init_app(app, rt)
    health.init_app(app, rt)
    monitoring.init_app(app, cfg, outbox.backlog)
    console.init_app(app, _console_parts(rt))
    console.csrf.exempt(voice)  # Twilio cannot send our token; its signature is checked instead
    if cfg.trusted_proxies:  # believe the client address, scheme and host the proxies pass on
        n = cfg.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    if cfg.node_name:  # behind a balancer, operators see which node answered
        app.after_request(lambda response: _named(response, cfg.node_name))
    if (cfg.public_url or "").startswith("https://"):  # reached over TLS: browsers are told to keep to it
        app.after_request(_strict_transport)
    return app


def _console_parts(rt: Runtime) -> ConsoleParts:
    """What the console's pages use, and nothing else of the app."""
    cfg = rt.config
    logins = LoginLimits(cfg.login_max_failures, timedelta(seconds=cfg.login_window_s))
    return ConsoleParts(rt.sessions, ConsoleClock(rt.clock), rt.regions, cfg.rules, cfg.mail,
                        partial(recordings.store, cfg), logins)  # fmt: skip


def warn_if_refusing_calls(app: Flask) -> None:
    """Log that the webhooks refuse every call. Only what serves them (`ivr serve`, wsgi.py) says so:
    to `ivr readings export` or `ivr users list` the token is nothing, and cron mail stays quiet."""
    if not runtime(app).config.takes_calls:
        log.error("TWILIO_AUTH_TOKEN is not set: the Twilio webhooks refuse every call (503). "
                  "Set it, or IVR_DEMO=1 for a demo without signatures.")  # fmt: skip


# A year, the usual; no includeSubDomains: the utility's other hosts are not ours to vouch for.
HSTS = "max-age=31536000"


def _strict_transport(response):  # noqa: ANN001, ANN202
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _named(response, node: str):  # noqa: ANN001, ANN202
    response.headers["X-IVR-Node"] = node
    return response


def _instance_secret(instance: Path) -> str:
    """Keep one secret per instance folder, so every worker signs sessions alike."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()
