"""The letters set aside for a person in IVR_MAIL_FAILED_FOLDER, as the console lists them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from ivr.mail import servers
from ivr.settings.mail import MailSettings

SHOWN = 50  # the newest ones; a person who has more opens the folder in a mail client
TIMEOUT_S = 5.0  # a console page waits no longer for the mailbox


@dataclass(frozen=True)
class AsideLetter:
    sender: str
    subject: str
    date: str  # as the letter gives it


def set_aside(settings: MailSettings) -> tuple[int, list[AsideLetter]]:
    """How many letters the folder holds, and the newest SHOWN, read without marking them.
    MailUnavailable (or an IMAP or network error) when the mailbox cannot be reached."""
    settings = dataclasses.replace(settings, timeout_s=min(settings.timeout_s, TIMEOUT_S))
    with servers.mailbox(settings, settings.failed_folder) as imap:
        uids = servers.every(imap)
        found = []
        for uid in reversed(uids[-SHOWN:]):
            header = servers.fetch(imap, uid, "BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)]")
            if header is not None:
                message = BytesParser(policy=policy.default).parsebytes(header, headersonly=True)
                found.append(
                    AsideLetter(*(str(message.get(name, "")) for name in ("From", "Subject", "Date")))
                )
        return len(uids), found
