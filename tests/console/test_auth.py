"""Logging in and out, the login rate limit, session cookies and CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from ivr import create_app
from ivr.console.accounts import set_password
from ivr.runtime import runtime
from ivr.store.models import AuditEvent, LoginAttempt, User
from tests.conftest import TOKEN
from tests.console.conftest import PASSWORD, Console
from tests.sessions import session, transaction

PAGES = [
    "/console/",
    "/console/calls",
    "/console/calls/CA1",
    "/console/readings",
    "/console/readings/1",
    "/console/dashboard",
    "/console/users",
    "/console/audio/1.wav",
    "/console/calls.csv",
    "/console/readings.csv",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visit_to_any_console_page_gets_the_login_form(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    form = anonymous.get(response.headers["Location"])
    assert form.status_code == 200 and 'name="password"' in form.get_data(as_text=True)


def test_right_password_logs_in_and_lands_on_the_calls_list(anonymous, users):
    response = anonymous.login("supervisor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/calls")
    assert anonymous.get("/console/calls").status_code == 200


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(anonymous, users):
    anonymous.get("/console/login")
    back = anonymous.post("/console/login?next=/console/dashboard", {"name": "qa", "password": PASSWORD})
    assert back.headers["Location"].endswith("/console/dashboard")
    other = Console(anonymous.client.application.test_client())
    other.get("/console/login")
    away = other.post("/console/login?next=https://evil.example/", {"name": "qa", "password": PASSWORD})
    assert away.headers["Location"].endswith("/console/calls")


def test_wrong_password_or_unknown_name_is_refused_alike(anonymous, users):
    wrong = anonymous.login("supervisor", "not the password")
    unknown = anonymous.login("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_data(as_text=True).count("Неверное имя") == 1
    assert anonymous.get("/console/calls").status_code == 302


def test_passwords_are_stored_hashed(app, users):
    with app.app_context():
        user = session().scalars(select(User).where(User.name == "qa")).one()
    assert PASSWORD not in user.password_hash and user.password_hash.startswith(("scrypt:", "pbkdf2:"))


@pytest.mark.settings(PASSWORD_HASH_METHOD=None)  # the product's own method, not the tests' cheap one
def test_the_product_hashes_passwords_with_scrypt(app, users, anonymous):
    with app.app_context():
        user = session().scalars(select(User).where(User.name == "qa")).one()
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert anonymous.login("qa").status_code == 302


@pytest.mark.both_databases
def test_sixth_attempt_within_15_minutes_gets_429_even_with_the_right_password(anonymous, users):
    for _ in range(5):
        assert anonymous.login("qa", "guess").status_code == 401
    response = anonymous.login("qa")
    assert response.status_code == 429 and "через 15 мин" in response.get_data(as_text=True)


@pytest.mark.both_databases
def test_failed_attempts_are_counted_in_the_database_for_every_worker(app, settings, users):
    first = Console(app.test_client())
    for _ in range(3):
        first.login("qa", "guess")
    other_worker = create_app(settings)  # a second process would share only the database
    second = Console(other_worker.test_client())
    for _ in range(2):
        second.login("qa", "guess")
    assert second.login("qa").status_code == 429
    assert first.login("qa").status_code == 429
    runtime(other_worker).sessions.kw["bind"].dispose()


def test_good_login_clears_the_failures_and_is_audited(app, anonymous, users):
    anonymous.login("qa", "guess")
    anonymous.login("qa")
    with app.app_context():
        assert session().scalars(select(LoginAttempt)).all() == []
        event = session().scalars(select(AuditEvent).where(AuditEvent.action == "login")).one()
    assert (event.actor, event.subject) == ("qa", "user:qa")


def test_session_cookie_is_secure_httponly_and_samesite_lax(anonymous, users):
    response = anonymous.login("qa")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_the_session(login):
    console = login("qa")
    console.get("/console/calls")
    assert console.post("/console/logout").status_code == 302
    assert console.get("/console/calls").status_code == 302


def test_a_copied_session_cookie_stops_working_after_logout(app, login):
    console = login("qa")
    copy = Console(app.test_client())
    cookie = console.client.get_cookie("session", domain="hotline.example")
    copy.client.set_cookie("session", cookie.value, domain="hotline.example")
    assert copy.get("/console/calls").status_code == 200  # the copy works while logged in
    console.post("/console/logout")
    assert copy.get("/console/calls").status_code == 302
    assert login("qa").get("/console/calls").status_code == 200  # logging in again works


def test_new_password_ends_the_sessions_that_used_the_old_one(app, login):
    console = login("qa")
    with app.app_context(), transaction() as s:
        set_password(s.scalars(select(User).where(User.name == "qa")).one(), "another password")
    assert console.get("/console/calls").status_code == 302


def test_csrf_protection_is_on_in_these_tests(app):
    assert app.config["WTF_CSRF_ENABLED"] is True


def test_login_without_a_csrf_token_is_refused(anonymous, users):
    response = anonymous.post("/console/login", {"name": "qa", "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert anonymous.get("/console/calls").status_code == 302


def test_review_without_a_csrf_token_is_refused_and_changes_nothing(app, login, make_call):
    made = make_call(flags="NEGATIVE", status="pending_review", value=900)
    console = login("supervisor")
    response = console.post(f"/console/readings/{made.reading_id}/approve", {"note": "x"}, csrf=False)
    assert response.status_code == 400
    with app.app_context():
        assert session().scalars(select(AuditEvent).where(AuditEvent.action == "approve")).all() == []


def test_logout_without_a_csrf_token_is_refused(login):
    console = login("qa")
    assert console.post("/console/logout", csrf=False).status_code == 400
    assert console.get("/console/calls").status_code == 200


def test_twilio_webhooks_need_no_csrf_token_only_their_signature(app):
    params = {"CallSid": "CAunknown", "CallStatus": "completed"}
    url = "https://hotline.example/twilio/status"
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    response = app.test_client().post(url, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 204
