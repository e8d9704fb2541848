"""The `ivr` command; each subcommand's module is imported only when that command runs."""

from __future__ import annotations

import importlib
import os

import click

COMMANDS = {
    "serve": "ivr.serve:serve_command",
    "db": "ivr.store.cli:db_group",
    "accounts": "ivr.store.cli:accounts_group",
    "readings": "ivr.store.cli:readings_group",
    "models": "ivr.speech.cli:models_group",
    "asr": "ivr.speech.cli:asr_command",
    "simulate": "ivr.qa.cli:simulate_command",
    "replay": "ivr.qa.cli:replay_command",
    "calls": "ivr.qa.cli:calls_group",
    "users": "ivr.console.cli:users_group",
    "messages": "ivr.notices:messages_group",
    "outbox": "ivr.notices:outbox_group",
    "mail": "ivr.mail.cli:mail_group",
    "retention": "ivr.retention.cli:retention_group",
}


class LazyGroup(click.Group):
    """A group whose commands are loaded on use: the QA tools stay out of the app's processes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        """Run the command; a wrong setting or an unready database is one line, not a traceback."""
        from ivr.flows import RegionsFileError
        from ivr.settings import ConfigError

        # A command is one process that ends (cron, a timer, `ivr serve`): it counts in its own memory.
        # In gunicorn's metrics folder its files would stay until gunicorn restarts, one per run.
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        try:
            return super().invoke(ctx)
        except (ConfigError, RegionsFileError) as error:
            click.echo(f"ivr: {error}", err=True)
            ctx.exit(1)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup)
def main() -> None:
    """Meter-reading hotline."""
