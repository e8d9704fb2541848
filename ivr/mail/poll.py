"""One look into the mailbox: each unseen letter is recorded, answered and marked, in that order.

The order is what survives a crash (docs/DESIGN.md): the MessageService writes the letter's row and
its readings in one transaction, idempotent on its Message-ID; then the reply goes out and the row's
replied_at is set at once; only then is the letter marked \\Seen (or moved). A letter still unseen
after a crash is taken again: its row tells that it was read, and whether its reply went out.
"""

from __future__ import annotations

import imaplib
import logging
import smtplib
from contextlib import ExitStack
from dataclasses import dataclass

from ivr.calls.messages import Incoming, MessageService, Outgoing
from ivr.calls.storage import StorageUnavailable
from ivr.clock import Clock
from ivr.mail import letters, replies, servers
from ivr.settings.mail import MailSettings
from ivr.store.phones import mask_email

log = logging.getLogger(__name__)
CHANNEL = "email"  # its registry entry's name (ivr/channels.py), stored on its messages
# Rounds a letter is tried in while the database fails for now, before it is set aside.
TRIES = len(servers.TRIED) + 1


@dataclass
class Round:
    """What one look into the mailbox did."""

    answered: int = 0  # replies sent
    ignored: int = 0  # auto-replies, bounces and list mail: recorded, not answered
    silent: int = 0  # nothing to send (a reply already sent before a crash, or none due)
    undeliverable: int = 0  # replies the mail server refused for good
    waiting: int = 0  # left unseen: the database failed for now
    set_aside: int = 0  # moved to IVR_MAIL_FAILED_FOLDER for a person

    def __str__(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in vars(self).items())


@dataclass
class Poller:
    settings: MailSettings
    messages: MessageService
    clock: Clock  # the app's: when a letter was taken

    def poll(self) -> Round:
        """Take every unseen letter once; MailUnavailable (or an IMAP/SMTP/network error) ends the round
        and leaves the letters not yet done for the next one. One letter's failure never does."""
        self.settings.ready()
        done = Round()
        with servers.mailbox(self.settings) as imap, ExitStack() as outbox:
            self._outbox, self.smtp = outbox, None  # SMTP is connected at the first reply due
            for uid in servers.unseen(imap):
                if self.one(imap, uid, done):
                    servers.done(imap, uid, self.settings.done_folder)
        return done

    def one(self, imap: imaplib.IMAP4, uid: bytes, done: Round) -> bool:
        """Read and take one letter; True when it is done. A letter the database fails on for now stays
        unseen for the next round, at most TRIES rounds; one that fails otherwise (the service itself
        refuses what it cannot read, so this is a bug), or the last time, is set aside for a person."""
        try:
            raw = servers.fetch(imap, uid)  # None: expunged meanwhile
            if raw is not None:
                self.take(letters.read(raw, self.settings.sender or ""), done)
            return True
        except servers.DOWN:  # the round ends; every letter waits for the next
            raise
        except Exception as error:  # noqa: BLE001 - one letter must not stop the mailbox
            rounds = servers.tries(imap, uid) + 1 if isinstance(error, StorageUnavailable) else TRIES
            if rounds < TRIES:
                log.warning("letter %s: %s (round %d of %d)", uid.decode(), error, rounds, TRIES)
                servers.tried(imap, uid, rounds)
                done.waiting += 1
            else:
                log.exception("letter %s set aside in %s", uid.decode(), self.settings.failed_folder)
                servers.set_aside(imap, uid, self.settings.failed_folder)
                done.set_aside += 1
            return False

    def take(self, letter: letters.Letter, done: Round) -> None:
        incoming = Incoming(CHANNEL, letter.message_id, letter.sender, letter.text(), self.clock.now(),
                            media=letter.media, automatic=bool(letter.automatic))  # fmt: skip
        out = self.messages.receive(incoming)
        if letter.automatic:
            log.info("e-mail from %s not answered: %s", mask_email(letter.sender), letter.automatic)
            done.ignored += 1
        elif out.replied:
            done.silent += 1
        elif self.send(letter, out):
            done.answered += 1
        else:
            done.undeliverable += 1

    def send(self, letter: letters.Letter, out: Outgoing) -> bool:
        """Send the reply and record it at once: the smaller the time between the two, the smaller the
        chance that a crash sends it twice. False when the server refuses it for good."""
        message = replies.reply(letter, out.text, self.settings.sender or "")
        smtp = self._smtp()  # a server that is down or refuses our login ends the round
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _ in refused.recipients.values()]
            if min(codes) < replies.PERMANENT:
                raise servers.MailUnavailable(f"SMTP refused the recipient for now: {codes}") from None
            log.warning("the reply to %s was refused: %s", mask_email(letter.sender), codes)
            return False
        except smtplib.SMTPDataError as error:  # the message refused; not our sender or login
            if error.smtp_code < replies.PERMANENT:
                raise servers.MailUnavailable(f"SMTP: {error.smtp_code}") from None
            log.warning("the reply to %s was refused: %s", mask_email(letter.sender), error.smtp_code)
            return False
        self.messages.replied(CHANNEL, letter.message_id)
        return True

    def _smtp(self) -> smtplib.SMTP:
        if self.smtp is None:
            self.smtp = self._outbox.enter_context(servers.outbox(self.settings))
        return self.smtp
