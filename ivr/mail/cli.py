"""`ivr mail poll [--once]`: answer the readings customers send to the utility's mailbox."""

from __future__ import annotations

import logging
import time

import click

log = logging.getLogger(__name__)


@click.group("mail")
def mail_group() -> None:
    """Readings sent by e-mail."""


@mail_group.command("poll")
@click.option("--once", is_flag=True, help="Look into the mailbox once and exit (for cron).")
def poll_command(once: bool) -> None:
    """Read unseen letters, store their readings, reply; every IVR_MAIL_INTERVAL_S unless --once."""
    from ivr.cli_app import app_context
    from ivr.mail.poll import Poller

    with app_context() as app:
        poller = Poller(app.config.mail, app.messages, app.clock)
        app.config.mail.ready()
        while True:
            try:
                click.echo(f"mail: {poller.poll()}")
            except Exception:  # noqa: BLE001 - mail server or database down: the letters not done stay
                # unseen, and the next round takes them; the loop itself must outlive the outage.
                log.exception("mail: the round stopped")  # masked like every log line
                if once:
                    raise SystemExit(1) from None
            if once:
                return
            time.sleep(app.config.mail.interval_s)
