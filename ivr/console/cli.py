"""`ivr users`: manage console users from the shell."""

from __future__ import annotations

import sys

import click

from ivr.console.i18n import messages
from ivr.console.roles import ROLES


@click.group("users")
def users_group() -> None:
    """Manage supervisor console users."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.password_option(help="Asked for when not given (never put it in shell history).")
def users_add(name: str, role: str, password: str) -> None:
    """Add a console user; the password is asked for twice and stored hashed."""
    from ivr.cli_app import app_context
    from ivr.console.accounts import UserError, add_user
    from ivr.store.database import transaction

    with app_context() as rt:
        try:
            with transaction(rt.sessions) as s:
                add_user(s, name, role, password, rt.clock.now())
        except UserError as e:
            click.echo(messages("en")[str(e)], err=True)
            sys.exit(1)
    click.echo(f"user {name} added as {role}")


@users_group.command("passwd")
@click.argument("name")
@click.password_option(help="Asked for when not given (never put it in shell history).")
def users_passwd(name: str, password: str) -> None:
    """Reset a user's password (asked for twice); their open console sessions end."""
    from ivr.cli_app import app_context
    from ivr.console import audit
    from ivr.console.accounts import UserError, by_name, set_password
    from ivr.store.database import transaction

    with app_context() as rt:
        try:
            with transaction(rt.sessions) as s:
                user = by_name(s, name)
                if user is not None:
                    # The console's step: a new hash, which ends the sessions made with the old one.
                    set_password(user, password)
                    audit.record(s, rt.clock.now(), "cli", "user-password", f"user:{user.name}")
        except UserError as e:
            click.echo(messages("en")[str(e)], err=True)
            sys.exit(1)
    if user is None:
        click.echo(f"no user {name}", err=True)
        sys.exit(1)
    click.echo(f"password of {name} changed; their console sessions have ended")


@users_group.command("list")
def users_list() -> None:
    """List console users and their roles."""
    from sqlalchemy import select

    from ivr.cli_app import app_context
    from ivr.store.database import session
    from ivr.store.models import User

    with app_context() as rt:
        for user in session(rt.sessions).scalars(select(User).order_by(User.name)):
            click.echo(f"{user.name}\t{user.role}")
