"""`ivr db`, `ivr accounts` and `ivr readings` commands."""

from __future__ import annotations

import codecs
import os
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError

from ivr.store.accounts_csv import ImportFailed, import_accounts
from ivr.store.export_formats import CSV, EXCEL_CSV, SEPARATORS, XLSX, ExportFormat, UnwritableValue
from ivr.store.readings_csv import export_readings


@click.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    from ivr.cli_app import app_context
    from ivr.store.migrate import upgrade

    with app_context(ready=False) as rt:
        upgrade(rt.sessions)
    click.echo("database is up to date")


@click.group("accounts")
def accounts_group() -> None:
    """Manage accounts."""


@accounts_group.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--encoding", help="A CSV's encoding; by default a BOM's, else UTF-8, else cp1251 or koi8-r.")
@click.option("--delimiter", type=click.Choice([",", ";", "tab"]),
              help="A CSV's field separator; by default the one that splits the header line.")  # fmt: skip
@click.option("--partial", is_flag=True,
              help="The file holds only some accounts: leave the meters of the others as they are.")  # fmt: skip
def accounts_import(file, encoding, delimiter, partial) -> None:  # noqa: ANN001
    """Import accounts from .xlsx or CSV, all or nothing; re-importing updates in place.

    The file is the list of every account: meters it no longer lists are retired (no longer asked
    for by the hotline, their readings kept) until a later file lists them again.
    """
    from ivr.cli_app import app_context
    from ivr.store.database import transaction
    from ivr.store.spreadsheet import UnreadableFile

    with app_context() as rt:
        try:
            with transaction(rt.sessions) as s:
                done = import_accounts(s, file, "\t" if delimiter == "tab" else delimiter,
                                       rt.regions.windows, not partial, encoding, now=rt.clock.now())  # fmt: skip
        except (ImportFailed, UnreadableFile) as e:
            for error in e.errors if isinstance(e, ImportFailed) else [str(e)]:
                click.echo(f"{file.name}: {error}", err=True)
            click.echo("nothing was imported", err=True)
            sys.exit(1)
        except OperationalError as e:  # a meter locked by a call past the lock timeout, say
            click.echo(f"{file.name}: the database refused the import ({type(e.orig).__name__}); "
                       "nothing was imported: run it again", err=True)  # fmt: skip
            sys.exit(1)
    for warning in done.warnings:
        click.echo(f"{file.name}: warning: {warning}", err=True)
    separator = {None: "", "\t": ", tab-separated"}.get(done.delimiter, f", {done.delimiter!r}-separated")
    click.echo(f"imported {done.rows} meter row(s), read as {done.read_as}{separator}: "
               f"{done.new} new meter(s), {done.updated} updated")  # fmt: skip
    if done.retired:
        more = len(done.retired) - 10
        shown = ", ".join(done.retired[:10]) + (f" and {more} more" if more > 0 else "")
        click.echo(f"retired {len(done.retired)} meter(s) the file no longer lists: {shown}")


@click.group("readings")
def readings_group() -> None:
    """Work with readings."""


@readings_group.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="The file (stdout by default); FILE.xlsx writes a workbook.")  # fmt: skip
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="From this day of the utility's calendar (IVR_TIMEZONE) on.")  # fmt: skip
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx"]),
              help="By default xlsx for an -o FILE.xlsx, else csv.")  # fmt: skip
@click.option("--encoding", help="CSV: the encoding (default utf-8; utf-8-sig adds a BOM).")
@click.option("--delimiter", type=click.Choice(list(SEPARATORS)), help="CSV: the separator (default ,).")
@click.option("--excel", is_flag=True, help="CSV for a Russian Excel: UTF-8 with a BOM, ';' and CRLF.")
def readings_export(output, since, kind, encoding, delimiter, excel) -> None:  # noqa: ANN001
    """Export readings as CSV or .xlsx; received_at carries the utility's UTC offset."""
    from ivr.cli_app import app_context
    from ivr.store.database import session

    fmt = export_format(output, kind, encoding, delimiter, excel)
    with app_context() as rt:
        tz = rt.clock.utility
        try:
            with destination(output) as out:
                count = export_readings(session(rt.sessions), out, since.date() if since else None, tz, fmt)
        except UnwritableValue as e:
            click.echo(f"{output}: {e}", err=True)
            click.echo("nothing was written" if output != "-" else "the export stopped there", err=True)
            sys.exit(1)
        except OSError as e:  # no such folder, no permission, a full disk
            click.echo(f"ivr: {output}: {e.strerror}", err=True)
            sys.exit(1)
    if output != "-":
        click.echo(f"exported {count} reading(s) to {output}", err=True)


def export_format(output: str, kind: str | None, encoding: str | None, delimiter: str | None,
                  excel: bool) -> ExportFormat:  # fmt: skip
    """The format the options ask for; options that contradict each other are a usage error."""
    suffix = Path(output).suffix.lower().lstrip(".")
    kind = kind or ("xlsx" if suffix == "xlsx" else "csv")
    if suffix in ("csv", "xlsx") and suffix != kind:
        raise click.UsageError(f"-o {output} is not a .{kind} file; name it .{kind}")
    if kind == "xlsx":
        if encoding or delimiter or excel:
            raise click.UsageError("--encoding, --delimiter and --excel are for CSV, not .xlsx")
        if output == "-" and sys.stdout.isatty():
            raise click.UsageError("a workbook is no text for a terminal: -o FILE.xlsx, or redirect")
        return XLSX
    if excel:
        if encoding or delimiter:
            raise click.UsageError(
                "--excel sets the encoding and separator: leave out --encoding and --delimiter"
            )
        return EXCEL_CSV
    try:
        codecs.lookup(encoding or CSV.encoding)
    except LookupError:
        raise click.BadParameter(f"{encoding!r} is not an encoding Python knows (try utf-8, cp1251 or "
                                 "utf-16)", param_hint="--encoding") from None  # fmt: skip
    return replace(CSV, encoding=encoding or CSV.encoding, delimiter=SEPARATORS[delimiter or ","])


@contextmanager
def destination(output: str):  # noqa: ANN201
    """Where the export goes: stdout, or a file that appears whole or not at all (a failed export
    leaves an earlier file of that name as it was)."""
    if output == "-":
        yield click.get_binary_stream("stdout")
        return
    target = Path(output)
    fd, part = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(part, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


@readings_group.command("recompute")
@click.option("--apply", "apply_", is_flag=True, help="Write the corrections (by default only list them).")
@click.option("--meter", "serials", multiple=True, metavar="SERIAL", help="Only this meter (repeatable).")
def readings_recompute(apply_: bool, serials: tuple[str, ...]) -> None:
    """Judge stored readings again on their region's day: correct days, use, flags and each
    meter's last_read_on, as stored by builds that counted days on the UTC date.

    A dry run by default: one line per change, and a summary. Values, statuses and periods are
    never changed: a reading whose status or period would differ is listed for a supervisor.
    """
    from ivr.cli_app import app_context
    from ivr.store.recompute import run

    with app_context() as app:
        try:  # a meter at a time: calls and texts save meanwhile
            done = run(app.sessions, app.regions, app.config.rules, serials, apply_, app.clock.now(),
                       lambda change: click.echo(change.line()))  # fmt: skip
        except LookupError as error:
            click.echo(f"ivr readings recompute: {error}; nothing was changed", err=True)
            sys.exit(1)
    click.echo(done + ("" if apply_ else "; a dry run: nothing was written (--apply writes it)"))
