"""User management for admins: add users, change roles and passwords, remove users."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from ivr.console import audit
from ivr.console.accounts import UserError, add_user, set_password, set_role
from ivr.console.blueprint import ROW_ID, routes
from ivr.console.i18n import translate
from ivr.console.parts import ConsoleParts
from ivr.console.roles import MANAGE_USERS, ROLES, requires
from ivr.store.models import User


@routes.get("/users")
@requires(MANAGE_USERS)
def users(parts: ConsoleParts) -> str:
    """List console users with forms to manage them."""
    everyone = parts.session().scalars(select(User).order_by(User.name)).all()
    return render_template("console/users.html", users=everyone, roles=ROLES)


@routes.post("/users")
@requires(MANAGE_USERS)
def user_add(parts: ConsoleParts) -> Response:
    """Add a user with a role and a first password."""
    form = request.form
    try:
        with parts.transaction() as s:
            now = parts.clock.now()
            user = add_user(s, form.get("name", ""), form.get("role", ""), form.get("password", ""), now)
            audit.record(s, now, current_user.name, "user-add", f"user:{user.name}", None, user.role)
    except UserError as e:
        flash(translate(str(e)), "error")
    else:
        flash(translate("users.added"), "ok")
    return redirect(url_for("console.users"), 303)


@routes.post(f"/users/<{ROW_ID}:user_id>/<any(role, password, delete):change>")
@requires(MANAGE_USERS)
def user_change(parts: ConsoleParts, user_id: int, change: str) -> Response:
    """Change a user's role or password, or remove the user; never one's own role or account."""
    form = request.form
    try:
        with parts.transaction() as s:
            user = s.get(User, user_id) or abort(404)
            if user.id == current_user.id and change != "password":
                raise UserError("users.not_yourself")  # an admin cannot lock themselves out
            subject = f"user:{user.name}"
            if change == "role":
                old = user.role
                set_role(user, form.get("role", ""))
                audit.record(s, parts.clock.now(), current_user.name, "user-role", subject, old, user.role)
            elif change == "password":
                set_password(user, form.get("password", ""))
                audit.record(s, parts.clock.now(), current_user.name, "user-password", subject)
            else:
                s.delete(user)
                audit.record(s, parts.clock.now(), current_user.name, "user-delete", subject, user.role, None)
    except UserError as e:
        flash(translate(str(e)), "error")
    else:
        flash(translate(f"users.done.{change}"), "ok")
    return redirect(url_for("console.users"), 303)
