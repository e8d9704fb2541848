"""Console users: creation with a hashed password, role changes, removal."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ivr.console import clock
from ivr.console.roles import ROLES
from ivr.store.models import User

NAME = re.compile(r"[\w.@-]{1,64}")
MIN_PASSWORD = 8


class UserError(ValueError):
    """A user that cannot be saved; the argument is the message key for the console."""


def by_name(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).first()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError("users.short_password")


def add_user(session: Session, name: str, role: str, password: str) -> User:
    """Create a console user; the password is stored only as a salted hash."""
    name = name.strip()
    if not NAME.fullmatch(name):
        raise UserError("users.bad_name")
    if role not in ROLES:
        raise UserError("users.bad_role")
    check_password(password)
    if by_name(session, name) is not None:
        raise UserError("users.taken")
    user = User(name=name, role=role, password_hash=generate_password_hash(password), created_at=clock.now())
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    check_password(password)
    user.password_hash = generate_password_hash(password)


def set_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise UserError("users.bad_role")
    user.role = role
