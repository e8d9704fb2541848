"""A crash at each step of a letter, then the poll again: no reading twice, no reply twice except in
the one documented window (between SMTP's acceptance and the replied_at commit)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ivr.calls.messages import MessageService
from ivr.mail import poll as polling
from ivr.mail import servers
from ivr.runtime import runtime
from tests.conftest import NOW
from tests.mail.conftest import CUSTOMER, HOTLINE, letter
from tests.mail.test_poll import poll, stored

pytestmark = pytest.mark.both_databases


class Crash(BaseException):
    """The process dying there: no handler of the poller's catches it, as none survives a kill -9."""


def crash(*args, **kwargs):  # noqa: ANN002, ANN003
    raise Crash


@pytest.mark.parametrize(
    "where, target, replies",
    [("before the row", (MessageService, "receive"), 1),
     ("before the reply", (polling.replies, "reply"), 1),
     ("after SMTP, before replied_at", (MessageService, "replied"), 2),  # the documented window
     ("before \\Seen", (servers, "done"), 1)],
)  # fmt: skip
def test_a_crash_at_each_step_loses_nothing_and_stores_nothing_twice(
    app, poller, mailbox, smtp, monkeypatch, where, target, replies
):
    mailbox.deliver(letter("100001 1100"))
    with monkeypatch.context() as patch:
        patch.setattr(*target, crash)
        with pytest.raises(Crash):
            poll(app, poller)
    assert mailbox.unseen() == 1  # not marked: it will be taken again
    poll(app, poller)
    readings, [message] = stored(app)
    assert [r.value for r in readings] == [1100] and message.replied_at is not None
    assert len(smtp.letters) == replies and mailbox.unseen() == 0
    assert len({r["Message-ID"] for r in smtp.letters}) == 1  # a second copy is the same letter


def test_a_mail_server_down_for_now_leaves_the_letter_for_the_next_round(app, poller, mailbox, smtp):
    smtp.refuse = "451 try again later"
    mailbox.deliver(letter())
    with pytest.raises(servers.MailUnavailable):
        poll(app, poller)
    assert stored(app)[1][0].replied_at is None and mailbox.unseen() == 1
    smtp.refuse = None
    assert poll(app, poller).answered == 1 and len(smtp.letters) == 1 and len(stored(app)[0]) == 1


@pytest.fixture
def mail_env(settings, dovecot, smtp):
    """The app's own settings reach the test's SMTP server (for `ivr messages expire`)."""
    settings.update(IVR_SMTP_URL=f"smtps://127.0.0.1:{smtp.port}", IVR_MAIL_FROM=HOTLINE,
                    IVR_MAIL_CA_FILE=str(dovecot.cert), IVR_CLOCK=lambda: NOW + timedelta(minutes=61))  # fmt: skip


def test_an_email_sender_is_told_when_readings_waiting_for_yes_expire(mail_env, app, poller, mailbox, smtp):
    mailbox.deliver(letter("100001 99000"))  # high use: waits for «ДА»
    poll(app, poller)
    assert stored(app)[1][0].status == "awaiting_confirmation" and len(smtp.letters) == 1
    with app.app_context():
        assert runtime(app).messages.expire() == 1
        assert runtime(app).outbox.deliver_due() == 1
    notice = smtp.letters[1]
    assert (notice["To"], notice["From"], notice["Auto-Submitted"]) == (CUSTOMER, HOTLINE, "auto-generated")
    assert "не были подтверждены" in notice.get_content() and stored(app)[1][0].status == "expired"


def test_a_mail_server_that_is_down_costs_nothing_but_time(app, dovecot, mailbox, smtp):
    from ivr.settings.mail import Server
    from tests.mail.conftest import settings_for
    from tests.mail.servers import free_port

    good = settings_for(dovecot, mailbox, smtp)
    down = type(good)(good.imap, Server("smtps", "127.0.0.1", free_port()), good.sender, good.ca_file)
    mailbox.deliver(letter())
    with pytest.raises(OSError):
        poll(app, polling.Poller(down, runtime(app).messages, runtime(app).clock))
    assert mailbox.unseen() == 1 and stored(app)[1][0].replied_at is None
    assert poll(app, polling.Poller(good, runtime(app).messages, runtime(app).clock)).answered == 1
    assert len(smtp.letters) == 1 and len(stored(app)[0]) == 1
