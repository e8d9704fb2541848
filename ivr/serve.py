"""`ivr serve`: the web app, optionally on a demo database."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import click

DEMO_ACCOUNTS = Path(__file__).parent / "store" / "demo_accounts.csv"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Migrate the database and load demo accounts first.")
def serve_command(host: str, port: int, demo: bool) -> None:
    """Serve the webhooks and the console (use gunicorn with wsgi:app in production)."""
    from ivr import create_app, warn_if_refusing_calls
    from ivr.runtime import runtime
    from ivr.store.database import transaction
    from ivr.store.migrate import check_ready, upgrade

    app = create_app({"IVR_DEMO": True} if demo else None)
    config = runtime(app).config
    with app.app_context():
        if demo:  # a demo starts from nothing; a real line is migrated by `ivr db upgrade`, on purpose
            from ivr.store.accounts_csv import import_accounts

            upgrade(runtime(app).sessions)
            with transaction(runtime(app).sessions) as s:
                count = import_accounts(s, io.StringIO(DEMO_ACCOUNTS.read_text(encoding="utf-8"))).rows
                password = _demo_supervisor(s, runtime(app).clock.now())
            click.echo(f"demo: {count} meters loaded from {DEMO_ACCOUNTS.name}")
            if password:
                click.echo(f"demo: console login 'demo' (admin), password {password}")
        check_ready(runtime(app).sessions)
    warn_if_refusing_calls(app)
    base = config.public_url or f"http://{host}:{port}"
    click.echo(f"Twilio Voice URL (POST): {base.rstrip('/')}/twilio/voice")
    click.echo(f"Twilio status callback:  {base.rstrip('/')}/twilio/status")
    click.echo(f"Supervisor console:      http://{host}:{port}/console/")
    click.echo(f"Twilio fallback URL:     {base.rstrip('/')}/twilio/fallback")
    click.echo(f"Database:                {config.database_url.split('@')[-1]}")
    if config.demo and not config.signed:  # without demo mode the refusal was logged above
        click.echo("WARNING: TWILIO_AUTH_TOKEN is not set: webhook signatures are NOT checked "
                   "(demo mode).", err=True)  # fmt: skip
    app.run(host=host, port=port, threaded=True)


def _demo_supervisor(session, now) -> str | None:  # noqa: ANN001
    """Give a fresh demo database one admin, so the console can be tried at once."""
    from sqlalchemy import func, select

    from ivr.console.accounts import add_user
    from ivr.store.models import User

    if session.scalar(select(func.count()).select_from(User)):
        return None
    password = secrets.token_urlsafe(9)
    add_user(session, "demo", "admin", password, now)
    return password
