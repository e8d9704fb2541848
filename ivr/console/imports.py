"""The accounts file in the console: an admin uploads it, sees its errors by line and field or the
meters it would add, change and retire, and confirms. Every step is audited."""

from __future__ import annotations

import io
import re

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ivr.console import audit
from ivr.console.blueprint import routes
from ivr.console.i18n import translate
from ivr.console.parts import ConsoleParts
from ivr.console.roles import IMPORT_ACCOUNTS, requires
from ivr.store import uploads
from ivr.store.accounts_csv import Imported, ImportFailed, import_accounts
from ivr.store.spreadsheet import UnreadableFile

MAX_BYTES = 20 * 2**20  # larger files go through `ivr accounts import`
SHOWN = 20  # retired meters listed on the preview; the count says how many in all
ERROR = re.compile(r"line (\d+): (\w+): (.*)", re.DOTALL)


@routes.get("/accounts/import")
@requires(IMPORT_ACCOUNTS)
def accounts_import(parts: ConsoleParts) -> str:
    with parts.transaction() as s:
        uploads.drop_stale(s, parts.clock.now())
    return render_template("console/accounts_import.html")


@routes.post("/accounts/import")
@requires(IMPORT_ACCOUNTS)
def accounts_check(parts: ConsoleParts) -> Response | tuple[str, int] | str:
    """Check the uploaded file without writing it: its errors, or what it would change."""
    upload = request.files.get("file")
    data = upload.read(MAX_BYTES + 1) if upload else b""
    name = (upload.filename if upload else "") or "accounts"
    if not data or len(data) > MAX_BYTES:
        flash(translate("imports.too_large" if data else "imports.no_file"), "error")
        return redirect(url_for("console.accounts_import"), 303)
    partial = request.form.get("partial") == "1"
    done = _run(parts, data, name, partial, dry_run=True)
    if not isinstance(done, Imported):
        return done
    with parts.transaction() as s:
        token = uploads.keep(s, current_user.name, name, partial, data, parts.clock.now())
        audit.record(
            s, parts.clock.now(), current_user.name, "accounts-preview", _subject(name), None, _summary(done)
        )
    return render_template("console/accounts_import.html", preview=done, name=name, token=token, shown=SHOWN)


@routes.post("/accounts/import/confirm")
@requires(IMPORT_ACCOUNTS)
def accounts_confirm(parts: ConsoleParts) -> Response | tuple[str, int]:
    """Import the file whose preview the admin saw; the numbers are those of the import itself."""
    with parts.transaction() as s:
        upload = uploads.kept(s, request.form.get("token", ""), current_user.name)
    if upload is None:
        flash(translate("imports.gone"), "error")
        return redirect(url_for("console.accounts_import"), 303)
    done = _run(parts, upload.data, upload.name, upload.partial, dry_run=False, upload_id=upload.id)
    if not isinstance(done, Imported):
        return done
    counts = {"rows": done.rows, "new": done.new, "updated": done.updated, "retired": len(done.retired)}
    flash(translate("imports.done", **counts), "ok")
    return redirect(url_for("console.accounts_import"), 303)


def _run(parts: ConsoleParts, data: bytes, name: str, partial: bool, dry_run: bool,
         upload_id: int | None = None) -> Imported | tuple[str, int]:  # fmt: skip
    """Check or import the file in one transaction, audited; its errors as a page when it has some."""
    action = "accounts-preview" if dry_run else "accounts-import"
    try:
        with parts.transaction() as s:
            done = import_accounts(s, io.BytesIO(data), regions=parts.regions.windows,
                                   retire_missing=not partial, dry_run=dry_run, now=parts.clock.now())  # fmt: skip
            if not dry_run:
                uploads.discard(s, upload_id)
                audit.record(
                    s, parts.clock.now(), current_user.name, action, _subject(name), None, _summary(done)
                )
            return done
    except (ImportFailed, UnreadableFile) as e:
        errors = e.errors if isinstance(e, ImportFailed) else [str(e)]
        rows = [m.groups() if (m := ERROR.fullmatch(error)) else ("", "", error) for error in errors]
        with parts.transaction() as s:  # where, not what: the cells may hold phones and addresses
            audit.record(s, parts.clock.now(), current_user.name, action, _subject(name), None, None,
                         f"refused: {len(errors)} error(s), the first at line {rows[0][0] or '-'} "
                         f"({rows[0][1] or 'file'})")  # fmt: skip
        return render_template("console/accounts_import.html", errors=rows, name=name), 422


def _subject(name: str) -> str:
    return f"accounts:{name}"[:100]


def _summary(done: Imported) -> str:
    return f"{done.rows} row(s): {done.new} new, {done.updated} updated, {len(done.retired)} retired meter(s)"
