"""Connections to the mailbox (IMAP) and the mail server (SMTP): TLS always, certificates verified.

imap:// and smtp:// must upgrade with STARTTLS before the login: a server that does not offer it
is refused, so a password never crosses the network in the clear.
"""

from __future__ import annotations

import imaplib
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager

from ivr.settings.mail import MailSettings

# The keywords that count a letter's failed rounds, one each: the last round moves it instead.
TRIED = ("$IvrTried1", "$IvrTried2")


class MailUnavailable(Exception):
    """The mailbox or the mail server failed for now: the round ends, the letter waits for the next."""


# The mailbox or the mail server failing, in any of the ways the libraries say so.
DOWN = (MailUnavailable, imaplib.IMAP4.error, smtplib.SMTPException, OSError)


class NoFolder(MailUnavailable):
    """The folder asked for is not there (IVR_MAIL_FAILED_FOLDER before any letter was set aside)."""


@contextmanager
def mailbox(settings: MailSettings, folder: str | None = None) -> Iterator[imaplib.IMAP4]:
    """The IMAP mailbox, logged in, its folder (or this one, read-only) selected."""
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
        status, _ = client.select(_quoted(folder or imap.path), readonly=folder is not None)
        if status != "OK":
            raise (NoFolder if folder else MailUnavailable)(f"IMAP SELECT failed: {status}")
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


def every(client: imaplib.IMAP4) -> list[bytes]:
    """The UIDs of all the folder's letters, oldest first."""
    data = _check(client.uid("SEARCH", None, "ALL"), "SEARCH")
    return data[0].split() if data and data[0] else []


def fetch(client: imaplib.IMAP4, uid: bytes, part: str = "BODY.PEEK[]") -> bytes | None:
    """The letter as it is (or the part asked for), without setting \\Seen (BODY.PEEK); None when it
    was expunged meanwhile."""
    data = _check(client.uid("FETCH", uid, f"({part})"), "FETCH")
    return next((item[1] for item in data if isinstance(item, tuple)), None)


def done(client: imaplib.IMAP4, uid: bytes, folder: str | None) -> None:
    """Mark the letter \\Seen, and move it to the folder if one is set (RFC 6851 MOVE)."""
    _check(client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)"), "STORE")
    if folder:
        _check(client.uid("MOVE", uid, _quoted(folder)), "MOVE")


def tries(client: imaplib.IMAP4, uid: bytes) -> int:
    """How many rounds this letter failed in for now (the database down), counted on the letter itself
    in IMAP keywords, so that a poll run by cron counts alike."""
    data = _check(client.uid("FETCH", uid, "(FLAGS)"), "FETCH")
    flags = b" ".join(item[0] if isinstance(item, tuple) else item for item in data if item).lower()
    return sum(keyword.lower().encode() in flags for keyword in TRIED)


def tried(client: imaplib.IMAP4, uid: bytes, count: int) -> None:
    """Count one more failed round on the letter (count: the rounds so far, this one included)."""
    _check(client.uid("STORE", uid, "+FLAGS.SILENT", f"({TRIED[count - 1]})"), "STORE")


def set_aside(client: imaplib.IMAP4, uid: bytes, folder: str) -> None:
    """Move the letter, unread, to the folder where a person looks for the letters the hotline could
    not take; the folder is made when missing."""
    client.create(_quoted(folder))  # NO when it exists: nothing to do
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
