"""`ivr messages expire`: readings by text whose «ДА» never came expire, and their senders are told.

Each channel sends its notices its own way; a channel's notifier is `fn(channel, sender, text)`,
named here and imported only when a notice is due.
"""

from __future__ import annotations

import importlib

import click

NOTIFIERS = {
    "sms": "ivr.telephony.notices:send",
    "whatsapp": "ivr.telephony.notices:send",
    "email": "ivr.mail.replies:notify",
}


def notify(channel: str, sender: str, text: str) -> None:
    if channel not in NOTIFIERS:
        raise LookupError(f"no notifier for the {channel} channel")
    module, name = NOTIFIERS[channel].split(":")
    getattr(importlib.import_module(module), name)(channel, sender, text)


@click.group("messages")
def messages_group() -> None:
    """Readings sent by SMS, WhatsApp and e-mail."""


@messages_group.command("expire")
def expire_command() -> None:
    """Expire readings that waited too long for «ДА», and tell their senders (run it from cron)."""
    from ivr.runtime import runtime
    from ivr.store.cli import app_context

    with app_context():
        expired = runtime().messages.expire(notify)
    click.echo(f"{expired} expired")
