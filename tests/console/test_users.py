"""Admins manage console users; `ivr users add` creates them from the shell."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from ivr.cli import main
from ivr.store.models import AuditEvent, User
from tests.sessions import session


def user(app, name: str) -> User | None:
    with app.app_context():
        return session().scalars(select(User).where(User.name == name)).first()


def actions(app) -> list[tuple[str, str, str | None, str | None]]:
    with app.app_context():
        events = session().scalars(
            select(AuditEvent).where(AuditEvent.action.like("user-%")).order_by(AuditEvent.id)
        )
        return [(e.action, e.subject, e.old, e.new) for e in events]


def test_admin_adds_a_user_with_a_hashed_password(app, login):
    console = login("admin")
    form = {"name": "olga", "role": "supervisor", "password": "a long password"}
    assert console.post("/console/users", form).status_code == 303
    olga = user(app, "olga")
    assert olga.role == "supervisor" and "a long password" not in olga.password_hash
    assert actions(app) == [("user-add", "user:olga", None, "supervisor")]
    assert "olga" in console.get("/console/users").get_data(as_text=True)


def test_short_passwords_and_taken_names_are_refused(app, login):
    console = login("admin")
    console.post("/console/users", {"name": "olga", "role": "qa", "password": "short"})
    assert user(app, "olga") is None
    response = console.post("/console/users", {"name": "qa", "role": "qa", "password": "long enough"})
    assert "уже есть" in console.get(response.headers["Location"]).get_data(as_text=True)


def test_admin_changes_a_role_and_a_password_and_removes_a_user(app, login):
    console = login("admin")
    qa = user(app, "qa")
    console.post(f"/console/users/{qa.id}/role", {"role": "supervisor"})
    console.post(f"/console/users/{qa.id}/password", {"password": "brand new pass"})
    assert user(app, "qa").role == "supervisor"
    assert login_works(app, "qa", "brand new pass")
    console.post(f"/console/users/{qa.id}/delete")
    assert user(app, "qa") is None
    assert [a[0] for a in actions(app)] == ["user-role", "user-password", "user-delete"]
    assert actions(app)[0][2:] == ("qa", "supervisor")


def login_works(app, name: str, password: str) -> bool:
    from tests.console.conftest import Console

    return Console(app.test_client()).login(name, password).status_code == 302


def test_admin_cannot_demote_or_remove_themselves(app, login):
    console = login("admin")
    me = user(app, "admin")
    console.post(f"/console/users/{me.id}/role", {"role": "qa"})
    console.post(f"/console/users/{me.id}/delete")
    assert user(app, "admin").role == "admin" and actions(app) == []


def test_cli_adds_a_user_asking_for_the_password_twice(app, settings, monkeypatch):
    monkeypatch.setenv("IVR_DATABASE_URL", settings["IVR_DATABASE_URL"])
    monkeypatch.setenv("IVR_SECRET_KEY", "cli-test")
    result = CliRunner().invoke(
        main, ["users", "add", "anna", "--role", "qa"], input="a long password\na long password\n"
    )
    assert result.exit_code == 0, result.output
    assert "a long password" not in result.output
    anna = user(app, "anna")
    assert anna.role == "qa" and anna.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert login_works(app, "anna", "a long password")
    listed = CliRunner().invoke(main, ["users", "list"])
    assert "anna\tqa" in listed.output


def test_cli_refuses_unknown_roles_and_short_passwords(app, settings, monkeypatch):
    monkeypatch.setenv("IVR_DATABASE_URL", settings["IVR_DATABASE_URL"])
    monkeypatch.setenv("IVR_SECRET_KEY", "cli-test")
    bad_role = CliRunner().invoke(main, ["users", "add", "anna", "--role", "boss"], input="x\nx\n")
    assert bad_role.exit_code != 0
    short = CliRunner().invoke(main, ["users", "add", "anna", "--role", "qa"], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 8" in short.output and user(app, "anna") is None
