"""Roles and what each may do in the console."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

QA, SUPERVISOR, ADMIN = "qa", "supervisor", "admin"
ROLES = (SUPERVISOR, QA, ADMIN)

VIEW = "view"  # calls, transcripts, audio, readings, dashboard, masked exports
REVIEW = "review"  # approve, correct or reject readings
UNMASK = "unmask"  # see callers' phone numbers and addresses (each time audited)
EXPORT = "export"  # download the billing export of a period (each time audited)
MANAGE_USERS = "manage_users"
IMPORT_ACCOUNTS = "import_accounts"  # upload the accounts file: it decides whom the hotline serves

# QA replays test calls and needs the conversation, not who called or where they live;
# supervisors settle disputes with callers, so they may see personal data.
PERMISSIONS: dict[str, frozenset[str]] = {
    QA: frozenset({VIEW}),
    SUPERVISOR: frozenset({VIEW, REVIEW, UNMASK, EXPORT}),
    ADMIN: frozenset({VIEW, REVIEW, UNMASK, EXPORT, MANAGE_USERS, IMPORT_ACCOUNTS}),
}


def may(permission: str, role: str | None = None) -> bool:
    """Whether a role (by default the logged-in user's) has a permission."""
    if role is None:
        role = current_user.role if current_user.is_authenticated else None
    return permission in PERMISSIONS.get(role or "", frozenset())


def requires(permission: str) -> Callable:
    """Answer 403 to users whose role lacks the permission."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):  # noqa: ANN202
            if not may(permission):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
