"""`ivr messages expire` and `ivr outbox send`: notices to senders, through the outbox (ivr/calls/outbox.py).

Each channel sends its notices through its own notifier (the registry, ivr/channels.py).
"""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ivr.calls.outbox import Deliverer
    from ivr.runtime import Runtime


def deliverer(parts: Runtime, lease_s: float | None = None) -> Deliverer:
    """The outbox's deliverer, on the app's database, clock and channels."""
    from ivr.calls.outbox import LEASE, Deliverer
    from ivr.channels import TRAITS, notifiers

    def mask(channel: str, recipient: str) -> str:
        return TRAITS[channel].mask(recipient) if channel in TRAITS else "***"

    lease = timedelta(seconds=lease_s) if lease_s else LEASE
    return Deliverer(parts.sessions, parts.clock, notifiers(parts.config), mask, lease)


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
        sent = deliverer(app).deliver_due()
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
        sender = deliverer(app, lease)
        if not loop:
            click.echo(f"{sender.deliver_due()} notices sent")
            return
        stop = threading.Event()  # SIGTERM (systemd's stop) and Ctrl-C end it between two notices
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
        sender.run(stop)
