"""Console users: creation with a hashed password, role changes, removal."""

from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ivr.console.roles import ROLES
from ivr.store.models import User

NAME = re.compile(r"[\w.@-]{1,64}")
MIN_PASSWORD = 8
# Costs about 0.1 s a hash by design. The test suite passes a cheap method as the Flask key
# PASSWORD_HASH_METHOD, which no environment variable sets.
HASH_METHOD = "scrypt"


class UserError(ValueError):
    """A user that cannot be saved; the argument is the message key for the console."""


def by_name(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).first()


def hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD") or HASH_METHOD


def password_hash(password: str) -> str:
    """A salted hash of a password."""
    return generate_password_hash(password, hash_method())


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError("users.short_password")


def add_user(session: Session, name: str, role: str, password: str, now: datetime) -> User:
    """Create a console user; the password is stored only as a salted hash."""
    name = name.strip()
    if not NAME.fullmatch(name):
        raise UserError("users.bad_name")
    if role not in ROLES:
        raise UserError("users.bad_role")
    check_password(password)
    if by_name(session, name) is not None:
        raise UserError("users.taken")
    user = User(name=name, role=role, password_hash=password_hash(password), created_at=now)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    check_password(password)
    user.password_hash = password_hash(password)


def set_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise UserError("users.bad_role")
    user.role = role
