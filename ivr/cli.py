"""The `ivr` command."""
from __future__ import annotations

import click

from ivr.console.cli import users_group
from ivr.qa.cli import calls_group, replay_command, simulate_command
from ivr.serve import serve_command
from ivr.speech.cli import asr_command, models_group
from ivr.store.cli import accounts_group, db_group, readings_group


class Main(click.Group):
    """The `ivr` group: a start-up error (a bad setting, the database) is one line, not a traceback."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        from ivr.startup import ERRORS, stop

        try:
            return super().invoke(ctx)
        except ERRORS as error:
            stop(error)


@click.group(cls=Main)
def main() -> None:
    """Meter-reading hotline."""


main.add_command(serve_command)
main.add_command(db_group)
main.add_command(accounts_group)
main.add_command(readings_group)
main.add_command(models_group)
main.add_command(asr_command)
main.add_command(simulate_command)
main.add_command(replay_command)
main.add_command(calls_group)
main.add_command(users_group)
