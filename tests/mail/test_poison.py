"""No letter stops the mailbox: one the hotline cannot read is answered and marked; one the database
fails on is tried in three rounds, then set aside; the next letter is always taken."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from ivr.mail import letters
from ivr.mail.poll import Poller
from ivr.runtime import runtime
from tests.console.conftest import login as login  # noqa: F401 - the console's fixtures
from tests.console.conftest import users as users  # noqa: F401
from tests.mail.conftest import CUSTOMER, letter, settings_for
from tests.mail.servers import PASSWORD, USER
from tests.mail.test_poll import poll, stored

pytestmark = pytest.mark.postgres

TEMPLATE = "Отправьте номер лицевого счёта и показания через пробел"


@pytest.fixture
def settings(settings, dovecot, mailbox) -> dict:
    """The app's settings with the test's mailbox, for the console's list of letters set aside."""
    return {**settings, "IVR_IMAP_URL": f"imaps://127.0.0.1:{dovecot.imaps_port}/{mailbox.name}",
            "IVR_IMAP_USER": USER, "IVR_IMAP_PASSWORD": PASSWORD, "IVR_MAIL_CA_FILE": str(dovecot.cert),
            "IVR_MAIL_FAILED_FOLDER": f"{mailbox.name}-failed"}  # fmt: skip


@pytest.fixture
def guarded(app, dovecot, mailbox, smtp) -> Poller:
    """The test's poller, with the test's own folder for the letters set aside."""
    settings = settings_for(dovecot, mailbox, smtp, failed_folder=f"{mailbox.name}-failed")
    return Poller(settings, runtime(app).messages, runtime(app).clock)


def test_a_word_that_starts_with_at_is_answered_with_the_template_and_the_next_letter_is_stored(
    app, poller, mailbox, smtp
):
    mailbox.deliver(letter("@дом 100001 1100"))
    mailbox.deliver(letter("100001 1200"))
    assert poll(app, poller).answered == 2
    readings, messages = stored(app)
    assert [(m.body, m.status) for m in messages] == [("@дом 100001 1100", "help"), ("100001 1200", "stored")]
    assert [r.value for r in readings] == [1200]
    assert smtp.letters[0].get_content().startswith(TEMPLATE)
    assert mailbox.unseen() == 0 and mailbox.count() == 2


def test_a_letter_that_cannot_be_read_is_set_aside_at_once_and_the_next_is_taken(
    app, guarded, mailbox, smtp, monkeypatch
):
    read = letters.read

    def broken(raw: bytes, own: str = "") -> letters.Letter:
        if b"100001 1100" in raw:
            raise LookupError("a letter the email package cannot read")
        return read(raw, own)

    monkeypatch.setattr(letters, "read", broken)
    mailbox.deliver(letter("100001 1100"))
    mailbox.deliver(letter("100001 1200"))
    done = poll(app, guarded)
    assert (done.answered, done.set_aside, done.waiting) == (1, 1, 0)
    assert [r.value for r in stored(app)[0]] == [1200]
    assert (mailbox.count(), mailbox.count(f"{mailbox.name}-failed")) == (1, 1)
    assert mailbox.unseen(f"{mailbox.name}-failed") == 1  # a person sees it as new


def test_a_database_down_is_tried_in_three_rounds_then_the_letter_is_set_aside(app, guarded, mailbox, smtp):
    sessions = runtime(app).sessions
    working = sessions.kw["bind"]
    mailbox.deliver(letter("100001 1100"))
    sessions.configure(bind=create_engine("sqlite:////nonexistent/dir/x.db"))
    rounds = [poll(app, guarded) for _ in range(3)]
    assert [(r.waiting, r.set_aside) for r in rounds] == [(1, 0), (1, 0), (0, 1)]
    assert (mailbox.count(), mailbox.count(f"{mailbox.name}-failed")) == (0, 1)
    sessions.configure(bind=working)
    mailbox.deliver(letter("100001 1200"))
    assert poll(app, guarded).answered == 1
    assert [r.value for r in stored(app)[0]] == [1200] and len(smtp.letters) == 1


def test_a_database_back_within_the_three_rounds_takes_the_letter(app, guarded, mailbox, smtp):
    sessions = runtime(app).sessions
    working = sessions.kw["bind"]
    mailbox.deliver(letter("100001 1100"))
    sessions.configure(bind=create_engine("sqlite:////nonexistent/dir/x.db"))
    assert [poll(app, guarded).waiting for _ in range(2)] == [1, 1]
    sessions.configure(bind=working)
    assert poll(app, guarded).answered == 1
    assert [r.value for r in stored(app)[0]] == [1100] and mailbox.unseen() == 0


def test_the_console_lists_the_letters_set_aside_with_their_senders_masked(
    app, guarded, mailbox, smtp, login, monkeypatch
):
    console = login("qa")
    assert "Отложенные письма" in console.get("/console/messages").get_data(as_text=True)
    page = console.get("/console/messages/set-aside").get_data(as_text=True)
    assert "Ничего не найдено." in page  # no letter set aside yet, so no folder: an empty list

    def broken(raw: bytes, own: str = "") -> letters.Letter:
        raise LookupError("a letter the email package cannot read")

    monkeypatch.setattr(letters, "read", broken)
    mailbox.deliver(letter("100001 1100", subject="Показания за ноябрь"))
    assert poll(app, guarded).set_aside == 1
    page = console.get("/console/messages/set-aside").get_data(as_text=True)
    assert "Показания за ноябрь" in page and CUSTOMER not in page and "i***@example.org" in page
    assert mailbox.unseen(f"{mailbox.name}-failed") == 1  # listing it did not mark it read
