"""`ivr db`, `ivr accounts` and `ivr readings` commands."""
from __future__ import annotations

import sys

import click

from ivr.store.accounts_csv import ImportFailed, import_accounts
from ivr.store.readings_csv import export_readings


def app_context():
    """An app for storage work: no speech models, which would only cost seconds to load."""
    from ivr import create_app

    return create_app({"RECOGNIZERS": {}}).app_context()


@click.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    from ivr.store.migrate import upgrade

    with app_context():
        upgrade()
    click.echo("database is up to date")


@click.group("accounts")
def accounts_group() -> None:
    """Manage accounts."""


@accounts_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def accounts_import(file) -> None:  # noqa: ANN001
    """Import accounts from CSV, all or nothing; re-importing updates in place."""
    from ivr.store.database import transaction

    with app_context():
        try:
            with transaction() as s:
                count = import_accounts(s, file)
        except ImportFailed as e:
            for error in e.errors:
                click.echo(f"{file.name}: {error}", err=True)
            click.echo("nothing was imported", err=True)
            sys.exit(1)
    click.echo(f"imported {count} meter row(s)")


@click.group("readings")
def readings_group() -> None:
    """Work with readings."""


@readings_group.command("export")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None)
def readings_export(output, since) -> None:  # noqa: ANN001
    """Export readings as CSV (stdout by default)."""
    from ivr.store.database import session

    with app_context():
        count = export_readings(session(), output, since.date() if since else None)
    if output.name != "<stdout>":
        click.echo(f"exported {count} reading(s) to {output.name}", err=True)
