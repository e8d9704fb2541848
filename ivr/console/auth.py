"""Login and logout of console users; passwords are hashed with werkzeug."""

from __future__ import annotations

import hashlib
from functools import cache, partial
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from ivr import metrics
from ivr.console import audit, throttle
from ivr.console.accounts import hash_method
from ivr.console.blueprint import PREFIX, routes
from ivr.console.parts import ConsoleParts
from ivr.store.models import User


class Staff(UserMixin):
    """The logged-in console user, as flask-login sees them."""

    def __init__(self, user: User) -> None:
        self.id, self.name, self.role = user.id, user.name, user.role
        self.stamp = stamp(user)

    def get_id(self) -> str:
        return f"{self.id}:{self.stamp}"


def stamp(user: User) -> str:
    """A fingerprint of the password and the session epoch: a new password or a logout ends the
    sessions that carry the old one, wherever their cookies went."""
    return hashlib.sha256(f"{user.session_epoch}:{user.password_hash}".encode()).hexdigest()[:16]


def logins(parts: ConsoleParts) -> LoginManager:
    """One app's logins: its user loader reads that app's users."""
    manager = LoginManager()
    manager.login_view = "console.login"
    manager.login_message = ""  # the login form explains itself, in the user's language
    manager.user_loader(partial(load_staff, parts))
    return manager


def load_staff(parts: ConsoleParts, user_id: str) -> Staff | None:
    key, _, fingerprint = user_id.partition(":")
    user = parts.session().get(User, int(key)) if key.isdigit() else None
    if user is None or stamp(user) != fingerprint:
        return None
    return Staff(user)


@cache
def _decoy_hash(method: str) -> str:
    return generate_password_hash("no such user", method)


def check(user: User | None, password: str) -> bool:
    """Check a password; unknown names cost the same time, so they cannot be told apart."""
    if user is None:
        check_password_hash(_decoy_hash(hash_method()), password)
        return False
    return check_password_hash(user.password_hash, password)


def _next_page() -> str:
    target = request.values.get("next", "")
    split = urlsplit(target)
    if split.scheme or split.netloc or not split.path.startswith(PREFIX + "/"):
        return url_for("console.calls")
    return target


@routes.route("/login", methods=["GET", "POST"])
def login(parts: ConsoleParts) -> Response | tuple[str, int] | str:
    """Show the login form and log users in, a few failures per name and address at most."""
    if current_user.is_authenticated:
        return redirect(_next_page())
    if request.method == "GET":
        return render_template("console/login.html", error=None)
    name = request.form.get("name", "").strip()[:64]
    password = request.form.get("password", "")
    with parts.transaction() as s:
        admitted = throttle.admit(s, name, request.remote_addr or "unknown", parts.clock.now(), parts.logins)
    if not admitted:
        metrics.login_failures.labels("throttled").inc()
        minutes = -(-int(parts.logins.window.total_seconds()) // 60)
        return render_template("console/login.html", error="login.throttled", minutes=minutes), 429
    with parts.transaction() as s:
        user = s.scalars(select(User).where(User.name == name)).first()
        if not check(user, password):
            metrics.login_failures.labels("password").inc()
            return render_template("console/login.html", error="login.failed"), 401
        throttle.succeeded(s, name)
        audit.record(s, parts.clock.now(), user.name, "login", f"user:{user.name}")
        login_user(Staff(user))
    return redirect(_next_page())


@routes.post("/logout")
def logout(parts: ConsoleParts) -> Response:
    """End the session here and in every copy of its cookie."""
    with parts.transaction() as s:
        user = s.get(User, current_user.id)
        if user is not None:
            user.session_epoch += 1
    logout_user()
    return redirect(url_for("console.login"))
