"""ivr mail poll against a real dovecot and aiosmtpd: read, store, reply, mark; TLS both ways."""

from __future__ import annotations

import ssl

import pytest
from sqlalchemy import select

from ivr.mail.poll import Poller
from ivr.runtime import runtime
from ivr.store.models import Message, Reading
from tests.mail.conftest import CUSTOMER, HOTLINE, letter, settings_for
from tests.sessions import transaction


def poll(app, poller: Poller):  # noqa: ANN201
    with app.app_context():
        return poller.poll()


def stored(app) -> tuple[list[Reading], list[Message]]:
    with app.app_context(), transaction() as s:
        rows = (
            list(s.scalars(select(Reading).order_by(Reading.id))),
            list(s.scalars(select(Message).order_by(Message.id))),
        )
        s.expunge_all()
        return rows


def test_a_reading_by_email_is_stored_answered_in_its_thread_and_marked_read(app, poller, mailbox, smtp):
    sent = letter("100001 1100")
    mailbox.deliver(sent)
    done = poll(app, poller)
    assert (done.answered, done.ignored, done.silent) == (1, 0, 0)
    [reading], [message] = stored(app)
    assert (reading.value, reading.channel, reading.message_id) == (1100, "email", message.id)
    assert (message.channel, message.external_id, message.sender_key) == (
        "email",
        sent["Message-ID"],
        CUSTOMER,
    )
    assert message.status == "stored" and message.replied_at is not None
    [reply] = smtp.letters
    assert (reply["To"], reply["From"], reply["Subject"]) == (CUSTOMER, HOTLINE, "Re: Показания")
    assert reply["In-Reply-To"] == sent["Message-ID"] and reply["References"] == sent["Message-ID"]
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply.get_content().strip() == message.reply and "Принято" in message.reply
    assert mailbox.unseen() == 0
    assert poll(app, poller).answered == 0 and len(smtp.letters) == 1  # nothing is taken twice


def test_imap_with_starttls_and_smtp_with_starttls(app, dovecot, mailbox, smtp):
    from aiosmtpd.controller import Controller

    from tests.mail.servers import Collector, free_port, tls_server_context

    handler = Collector()
    tls = tls_server_context(dovecot.cert, dovecot.cert.with_name("key.pem"))
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), tls_context=tls, require_starttls=True
    )
    controller.start()
    try:
        settings = settings_for(dovecot, mailbox, smtp, imaps=False)
        settings = type(settings)(settings.imap, type(settings.smtp)("smtp", "127.0.0.1", controller.port),
                                  settings.sender, settings.ca_file)  # fmt: skip
        mailbox.deliver(letter("100001 1100"))
        assert poll(app, Poller(settings, runtime(app).messages, runtime(app).clock)).answered == 1
    finally:
        controller.stop()
    assert len(handler.letters) == 1 and mailbox.unseen() == 0


def test_an_untrusted_certificate_is_refused_and_nothing_is_read(app, dovecot, mailbox, smtp):
    settings = settings_for(dovecot, mailbox, smtp)
    untrusting = type(settings)(settings.imap, settings.smtp, settings.sender, None)
    mailbox.deliver(letter())
    with pytest.raises(ssl.SSLCertVerificationError):
        poll(app, Poller(untrusting, runtime(app).messages, runtime(app).clock))
    assert stored(app) == ([], []) and mailbox.unseen() == 1


def test_answered_letters_move_to_the_done_folder(app, dovecot, mailbox, smtp):
    with mailbox.session() as client:
        client.create(f"{mailbox.name}-done")
    settings = settings_for(dovecot, mailbox, smtp, done_folder=f"{mailbox.name}-done")
    mailbox.deliver(letter())
    assert poll(app, Poller(settings, runtime(app).messages, runtime(app).clock)).answered == 1
    assert mailbox.count() == 0 and mailbox.count(f"{mailbox.name}-done") == 1


def test_a_letter_with_an_attachment_is_refused_unread(app, poller, mailbox, smtp):
    sent = letter("100001 1100")
    sent.add_attachment(b"\x89PNG...", maintype="image", subtype="png", filename="meter.png")
    mailbox.deliver(sent)
    assert poll(app, poller).answered == 1
    readings, [message] = stored(app)
    assert readings == [] and message.status == "rejected" and len(smtp.letters) == 1


def test_a_refused_recipient_is_not_retried_for_ever(app, poller, mailbox, smtp):
    smtp.refuse = "550 no such user"
    mailbox.deliver(letter())
    assert poll(app, poller).undeliverable == 1
    [reading], [message] = stored(app)  # the reading counts; the reply could not be sent
    assert message.replied_at is None and mailbox.unseen() == 0


def test_a_letter_without_message_id_is_known_by_its_hash(app, poller, mailbox, smtp):
    sent = letter()
    del sent["Message-ID"]
    mailbox.deliver(sent)
    assert poll(app, poller).answered == 1
    [message] = stored(app)[1]
    assert message.external_id.startswith("<sha256-")


def test_the_poll_command_runs_once_for_cron(app, settings, dovecot, mailbox, smtp):
    import os
    import subprocess
    import sys

    mailbox.deliver(letter())
    env = {**os.environ, "IVR_DATABASE_URL": settings["IVR_DATABASE_URL"], "IVR_MAIL_FROM": HOTLINE,
           "IVR_IMAP_URL": f"imaps://127.0.0.1:{dovecot.imaps_port}/{mailbox.name}", "IVR_IMAP_USER": "meters",
           "IVR_IMAP_PASSWORD": "throwaway-password", "IVR_SMTP_URL": f"smtps://127.0.0.1:{smtp.port}",
           "IVR_MAIL_CA_FILE": str(dovecot.cert)}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "ivr", "mail", "poll", "--once"], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 answered" in done.stdout and len(smtp.letters) == 1
    assert "throwaway-password" not in done.stdout + done.stderr and CUSTOMER not in done.stdout + done.stderr
    env["IVR_IMAP_PASSWORD"] = "wrong"
    failed = subprocess.run([sys.executable, "-m", "ivr", "mail", "poll", "--once"], env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert failed.returncode == 1 and "wrong" not in failed.stderr


def test_a_mailbox_without_starttls_is_refused_before_the_login(app, dovecot, mailbox, smtp):
    import imaplib
    import shutil

    from ivr.settings.mail import Server
    from tests.mail.servers import PASSWORD, USER, Dovecot, dovecot_folder

    folder = dovecot_folder()
    plain = Dovecot(folder, dovecot.cert, tls=False)
    try:
        plain.start()
        settings = settings_for(dovecot, mailbox, smtp)
        settings = type(settings)(Server("imap", "127.0.0.1", plain.imap_port, "INBOX", USER, PASSWORD),
                                  settings.smtp, settings.sender, settings.ca_file)  # fmt: skip
        with pytest.raises(imaplib.IMAP4.error, match="TLS not supported"):
            poll(app, Poller(settings, runtime(app).messages, runtime(app).clock))
        assert f"user=<{USER}>" not in plain.log()  # the password never crossed the network
    finally:
        plain.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_a_mail_server_without_starttls_gets_no_letter(app, dovecot, mailbox, smtp):
    import smtplib

    from aiosmtpd.controller import Controller

    from ivr.settings.mail import Server
    from tests.mail.servers import Collector, free_port

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())  # no TLS offered
    controller.start()
    try:
        settings = settings_for(dovecot, mailbox, smtp)
        settings = type(settings)(settings.imap, Server("smtp", "127.0.0.1", controller.port), settings.sender,
                                  settings.ca_file)  # fmt: skip
        mailbox.deliver(letter())
        with pytest.raises(smtplib.SMTPNotSupportedError):
            poll(app, Poller(settings, runtime(app).messages, runtime(app).clock))
    finally:
        controller.stop()
    assert handler.letters == [] and mailbox.unseen() == 1 and stored(app)[1][0].replied_at is None
