"""`ivr db`, `ivr accounts` and `ivr readings` commands."""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager

import click

from ivr.store.accounts_csv import ImportFailed, import_accounts
from ivr.store.readings_csv import export_readings


@contextmanager
def app_context(ready: bool = True):  # noqa: ANN201
    """An app for storage work (no speech models, which would only cost seconds to load), on a
    database that is reachable and migrated unless `ready` is False (`ivr db upgrade`)."""
    from ivr import create_app
    from ivr.store.migrate import check_ready

    with create_app({"RECOGNIZERS": {}}).app_context() as context:
        if ready:
            check_ready()
        yield context


@click.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    from ivr.store.migrate import upgrade

    with app_context(ready=False):
        upgrade()
    click.echo("database is up to date")


@click.group("accounts")
def accounts_group() -> None:
    """Manage accounts."""


@accounts_group.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--encoding", help="The file's encoding; by default a BOM, else UTF-8, else cp1251.")
@click.option("--delimiter", type=click.Choice([",", ";", "tab"]),
              help="The field separator; by default the one that splits the header line.")  # fmt: skip
@click.option("--partial", is_flag=True,
              help="The file holds only some accounts: leave the meters of the others as they are.")  # fmt: skip
def accounts_import(file, encoding, delimiter, partial) -> None:  # noqa: ANN001
    """Import accounts from CSV, all or nothing; re-importing updates in place.

    The file is the list of every account: meters it no longer lists are retired (no longer asked
    for by the hotline, their readings kept) until a later file lists them again.
    """
    from ivr.runtime import runtime
    from ivr.store.database import transaction
    from ivr.store.spreadsheet import UnreadableFile, decode

    with app_context():
        try:
            text, read_as = decode(file.read(), encoding)
            with transaction() as s:
                done = import_accounts(s, io.StringIO(text), "\t" if delimiter == "tab" else delimiter,
                                       runtime().regions.windows, not partial)  # fmt: skip
        except (ImportFailed, UnreadableFile) as e:
            for error in e.errors if isinstance(e, ImportFailed) else [str(e)]:
                click.echo(f"{file.name}: {error}", err=True)
            click.echo("nothing was imported", err=True)
            sys.exit(1)
    for warning in done.warnings:
        click.echo(f"{file.name}: warning: {warning}", err=True)
    separator = "tab" if done.delimiter == "\t" else repr(done.delimiter)
    click.echo(f"imported {done.rows} meter row(s), read as {read_as}, {separator}-separated")
    if done.retired:
        more = len(done.retired) - 10
        shown = ", ".join(done.retired[:10]) + (f" and {more} more" if more > 0 else "")
        click.echo(f"retired {len(done.retired)} meter(s) the file no longer lists: {shown}")


@click.group("readings")
def readings_group() -> None:
    """Work with readings."""


@readings_group.command("export")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="From this day of the utility's calendar (IVR_TIMEZONE) on.")  # fmt: skip
def readings_export(output, since) -> None:  # noqa: ANN001
    """Export readings as CSV (stdout by default); received_at carries the utility's UTC offset."""
    from ivr.runtime import config
    from ivr.store.database import session

    with app_context():
        tz = config().timezone
        count = export_readings(session(), output, since.date() if since else None, tz)
    if output.name != "<stdout>":
        click.echo(f"exported {count} reading(s) to {output.name}", err=True)


@readings_group.command("recompute")
@click.option("--apply", "apply_", is_flag=True, help="Write the corrections (by default only list them).")
@click.option("--meter", "serials", multiple=True, metavar="SERIAL", help="Only this meter (repeatable).")
def readings_recompute(apply_: bool, serials: tuple[str, ...]) -> None:
    """Judge stored readings again on their region's day: correct days, use, flags and each
    meter's last_read_on, as stored by builds that counted days on the UTC date.

    A dry run by default: one line per change, and a summary. Values, statuses and periods are
    never changed: a reading whose status or period would differ is listed for a supervisor.
    """
    from ivr.runtime import runtime
    from ivr.store.recompute import audited, meters, recompute, summary

    with app_context():
        app = runtime()
        try:
            with app.sessions() as s:  # one transaction; closed without a commit, it is rolled back
                chosen = meters(s, serials)
                changes = recompute(s, app.regions, app.config.rules, chosen)
                done = summary(len(chosen), changes)
                for change in changes:
                    click.echo(change.line())
                if apply_:
                    audited(s, changes, app.clock.now(), "cli", done)
                    s.commit()
        except LookupError as error:
            click.echo(f"ivr readings recompute: {error}; nothing was changed", err=True)
            sys.exit(1)
    click.echo(done + ("" if apply_ else "; a dry run: nothing was written (--apply writes it)"))
