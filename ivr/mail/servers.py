"""Connections to the mailbox (IMAP) and the mail server (SMTP): TLS always, certificates verified.

imap:// and smtp:// must upgrade with STARTTLS before the login: a server that does not offer it
is refused, so a password never crosses the network in the clear.
"""

from __future__ import annotations

import imaplib
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager

from ivr.mail.settings import MailSettings


class MailUnavailable(Exception):
    """The mailbox or the mail server failed for now: the round ends, the letter waits for the next."""


@contextmanager
def mailbox(settings: MailSettings) -> Iterator[imaplib.IMAP4]:
    """The IMAP mailbox, logged in, its folder selected."""
    imap = settings.imap
    assert imap is not None  # MailSettings.ready() was called
    if imap.implicit_tls:
        client = imaplib.IMAP4_SSL(
            imap.host, imap.port, ssl_context=settings.tls(), timeout=settings.timeout_s
        )
    else:
        client = imaplib.IMAP4(imap.host, imap.port, timeout=settings.timeout_s)
        try:
            client.starttls(settings.tls())  # raises when the server offers no STARTTLS
        except Exception:
            client.shutdown()
            raise
    try:
        client.login(imap.user or "", imap.password or "")
        _check(client.select(_quoted(imap.path)), "SELECT")
        yield client
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):  # already gone: nothing to close
            pass


def unseen(client: imaplib.IMAP4) -> list[bytes]:
    """The UIDs of the letters nobody has read, oldest first."""
    data = _check(client.uid("SEARCH", None, "UNSEEN"), "SEARCH")
    return data[0].split() if data and data[0] else []


def fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    """The letter as it is, without setting \\Seen (BODY.PEEK); None when it was expunged meanwhile."""
    data = _check(client.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
    return next((item[1] for item in data if isinstance(item, tuple)), None)


def done(client: imaplib.IMAP4, uid: bytes, folder: str | None) -> None:
    """Mark the letter \\Seen, and move it to the folder if one is set (RFC 6851 MOVE)."""
    _check(client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)"), "STORE")
    if folder:
        _check(client.uid("MOVE", uid, _quoted(folder)), "MOVE")


@contextmanager
def outbox(settings: MailSettings) -> Iterator[smtplib.SMTP]:
    """The SMTP server, over TLS, logged in when credentials are set."""
    smtp = settings.smtp
    assert smtp is not None
    if smtp.implicit_tls:
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=settings.timeout_s, context=settings.tls())
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=settings.timeout_s)
        client.starttls(context=settings.tls())  # SMTPNotSupportedError without STARTTLS
    try:
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        yield client
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def _check(answer: tuple[str, list], command: str) -> list:
    status, data = answer
    if status != "OK":
        raise MailUnavailable(f"IMAP {command} failed: {status}")
    return data


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
