"""A real dovecot for the session (one folder per test) and an aiosmtpd per test, both with TLS."""

from __future__ import annotations

import itertools
import os
import shutil
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from ivr.clock import Clock
from ivr.mail.poll import Poller
from ivr.runtime import runtime
from ivr.settings.mail import MailSettings, Server
from tests.conftest import NOW
from tests.mail.servers import (
    DOVECOT,
    PASSWORD,
    USER,
    Collector,
    Dovecot,
    certificate,
    dovecot_folder,
    free_port,
    tls_server_context,
)

HOTLINE = "meters@utility.example"
CUSTOMER = "ivan.petrov@example.org"
FOLDERS = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot():
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed (Debian: apt-get install openssl)")
    folder = dovecot_folder()
    server = Dovecot(folder, certificate(folder)[0])
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


class Mailbox:
    """The test's own folder in the dovecot mailbox: letters are delivered by IMAP APPEND."""

    def __init__(self, server: Dovecot) -> None:
        self.server, self.name = server, f"T{next(FOLDERS)}"
        with self.session() as client:
            client.create(self.name)

    def session(self):  # noqa: ANN201
        return self.server.client()

    def deliver(self, raw: bytes | EmailMessage) -> None:
        with self.session() as client:
            status, _ = client.append(
                self.name, None, None, raw if isinstance(raw, bytes) else raw.as_bytes()
            )
            assert status == "OK"

    def unseen(self, folder: str | None = None) -> int:
        with self.session() as client:
            client.select(folder or self.name, readonly=True)
            return len(client.search(None, "UNSEEN")[1][0].split())

    def count(self, folder: str | None = None) -> int:
        with self.session() as client:
            return int(client.select(folder or self.name, readonly=True)[1][0])


@pytest.fixture
def mailbox(dovecot) -> Mailbox:
    return Mailbox(dovecot)


@pytest.fixture
def smtp(dovecot):
    """aiosmtpd over TLS (smtps) on a free port; `.letters` holds what it accepted."""
    from aiosmtpd.controller import Controller

    handler = Collector()
    context = tls_server_context(dovecot.cert, dovecot.cert.with_name("key.pem"))
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ssl_context=context)
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def letter(
    body: str = "100001 1100", subject: str = "Показания", sender: str = CUSTOMER, **headers
) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, HOTLINE, subject
    message["Message-ID"] = make_msgid(domain="example.org")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def settings_for(
    dovecot: Dovecot, mailbox: Mailbox, smtp: Collector, imaps: bool = True, **extra
) -> MailSettings:
    imap = Server("imaps" if imaps else "imap", "127.0.0.1", dovecot.imaps_port if imaps else dovecot.imap_port,
                  mailbox.name, USER, PASSWORD)  # fmt: skip
    return MailSettings(imap, Server("smtps", "127.0.0.1", smtp.port), HOTLINE, str(dovecot.cert), **extra)


@pytest.fixture
def poller(app, dovecot, mailbox, smtp) -> Poller:
    """Polls the test's folder and answers through the test's SMTP server, on the test's database."""
    minutes = itertools.count()
    clock = Clock(runtime(app).clock.utility, lambda: NOW + timedelta(seconds=next(minutes)))
    return Poller(settings_for(dovecot, mailbox, smtp), runtime(app).messages, clock)


@pytest.fixture
def trusting(dovecot) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(dovecot.cert))
