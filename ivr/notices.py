"""`ivr messages expire`: readings by text whose «ДА» never came expire, and their senders are told.

Each channel sends its notices through its own notifier (the registry, ivr/channels.py).
"""

from __future__ import annotations

from collections.abc import Callable

import click

from ivr.config import Config


def notify(config: Config) -> Callable[[str, str, str], None]:
    """notify(channel, sender, text) through the channel's notifier, with these settings."""
    from ivr.channels import notifiers

    built = notifiers(config)

    def send(channel: str, sender: str, text: str) -> None:
        if channel not in built:
            raise LookupError(f"no notifier for the {channel} channel")
        built[channel].send(sender, text)

    return send


@click.group("messages")
def messages_group() -> None:
    """Readings sent by text: SMS, WhatsApp, e-mail and the registry's other channels."""


@messages_group.command("expire")
def expire_command() -> None:
    """Expire readings that waited too long for «ДА», and tell their senders (run it from cron)."""
    from ivr.cli_app import app_context

    with app_context() as app:
        expired = app.messages.expire(notify(app.config))
    click.echo(f"{expired} expired")
