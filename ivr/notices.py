"""`ivr messages expire` and `ivr outbox send`: notices to senders, through the outbox (ivr/calls/outbox.py).

The app's deliverer sends each through its channel's notifier (the registry, ivr/channels.py).
"""

from __future__ import annotations

import signal
import threading
from datetime import timedelta

import click


@click.group("messages")
def messages_group() -> None:
    """Readings sent by text: SMS, WhatsApp, e-mail and the registry's other channels."""


@messages_group.command("expire")
def expire_command() -> None:
    """Expire readings that waited too long for «ДА», and tell their senders (run it from cron).

    The notices go into the outbox with the expiry; this sends those due once, as `ivr outbox send`
    does, and a failed one is tried again by the next run of either."""
    from ivr.cli_app import app_context

    with app_context() as app:
        expired = app.messages.expire()
        sent = app.outbox.deliver_due()
    click.echo(f"{expired} expired")
    click.echo(f"{sent} notices sent")


@click.group("outbox")
def outbox_group() -> None:
    """Notices waiting to be sent (readings that expired, replies sent after the webhook)."""


@outbox_group.command("send")
@click.option("--loop/--once", default=False,
              help="Keep sending as notices fall due (a service), or send those due now and exit (cron).")  # fmt: skip
@click.option("--lease", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="How long a claimed notice is this process's alone; a send gets a third of it. "
              "Default 60.")  # fmt: skip
def send_command(loop: bool, lease: float | None) -> None:
    """Send the notices that are due; one that fails is tried again later, with backoff."""
    from ivr.cli_app import app_context

    with app_context() as app:
        sender = app.outbox.leased(timedelta(seconds=lease)) if lease else app.outbox
        if not loop:
            click.echo(f"{sender.deliver_due()} notices sent")
            return
        stop = threading.Event()  # SIGTERM (systemd's stop) and Ctrl-C end it between two notices
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
        sender.run(stop)
