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
    from ivr.mail.poll import FAILURES, Poller
    from ivr.runtime import runtime
    from ivr.store.cli import app_context

    with app_context():
        app = runtime()
        poller = Poller(app.config.mail, app.messages, app.clock)
        app.config.mail.ready()
        while True:
            try:
                click.echo(f"mail: {poller.poll()}")
            except FAILURES as error:  # the letters not done stay unseen for the next round
                log.error("mail: the round stopped: %s: %s", error.__class__.__name__, error)  # masked
                if once:
                    raise SystemExit(1) from None
            if once:
                return
            time.sleep(app.config.mail.interval_s)
