"""Text cases: a sender's SMS or WhatsApp messages through the Messaging webhook (or a Telegram chat,
ivr/qa/telegram.py), each reply checked."""

from __future__ import annotations

import re
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ivr.qa.cases import Case, Step
from ivr.qa.driver import CallError, TwilioCall
from ivr.qa.facts import SavedReading
from ivr.qa.results import CaseResult, TurnResult
from ivr.qa.telegram import TelegramChat
from ivr.store.models import Message, Reading


@dataclass(frozen=True)
class TextFacts:
    """What the hotline's database holds of a text case: each message's status, the readings."""

    statuses: dict[str, str]  # by MessageSid
    readings: tuple[SavedReading, ...]


def text_facts(session: Session) -> TextFacts:
    """Every message and text reading of a fresh database: the case's own, in order."""
    statuses = dict(session.execute(select(Message.external_id, Message.status)).all())
    saved = session.scalars(
        select(Reading)
        .where(Reading.message_id.is_not(None))
        .options(joinedload(Reading.meter))
        .order_by(Reading.id)
    ).all()
    readings = tuple(
        SavedReading(r.meter.serial, f"T{r.zone}", r.value, r.status, tuple(r.flag_list)) for r in saved
    )
    return TextFacts(statuses, readings)


class TextPhone:
    """A sender's phone: each message a signed Messaging webhook, as Twilio delivers it."""

    def __init__(self, call: TwilioCall, path: str) -> None:
        self.call, self.url = call, call.base_url + path
        self.run = f"SM{uuid.uuid4().hex[:16]}"  # MessageSids unique on a server that keeps its database

    def sid(self, step: Step) -> str:
        """The step's MessageSid: a case's `sid:` label names one, so a second turn can repeat it."""
        label = re.sub(r"[^0-9A-Za-z]", "", step.sid or f"turn{step.number}")
        return (self.run + label.lower()).ljust(34, "0")[:34]

    def send(self, step: Step) -> tuple[str, str, float]:
        """Send one message; the MessageSid, the reply's text ("" for none) and the seconds it took."""
        sid = self.sid(step)
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": self.call.account_sid, "From": self.call.caller,
                  "To": self.call.called, "Body": step.arg or "", "NumMedia": str(step.media)}  # fmt: skip
        started = time.perf_counter()
        status, body = self.call.post(self.url, params)
        took = time.perf_counter() - started
        if status != 200:
            raise CallError(f"{self.url} answered HTTP {status}")
        root = ET.fromstring(body)
        if root.tag != "Response":
            raise CallError(f"not TwiML: {body[:80]!r}")
        return sid, " ".join((m.text or "").strip() for m in root.iter("Message")), took


def play_texts(case: Case, phone: TextPhone | TelegramChat, result: CaseResult) -> dict[int, str]:
    """Send the case's messages in turn, checking each reply; the MessageSid (update_id) of each turn."""
    sids = {}
    for step in case.steps:
        turn = TurnResult(step.number, step.describe())
        result.turns.append(turn)
        try:
            sids[step.number], turn.said, turn.latency = phone.send(step)
        except CallError as error:
            turn.problems.append(str(error))
            break
        turn.problems += reply_problems(step, turn.said)
    return sids


def reply_problems(step: Step, reply: str) -> list[str]:
    want = step.expect
    if want.reply is not None and want.reply.casefold() not in reply.casefold():
        return [f"expected a reply containing «{want.reply}», got «{reply}»"]
    if want.reply_matches is not None and not re.search(want.reply_matches, reply, re.IGNORECASE | re.DOTALL):
        return [f"expected a reply matching /{want.reply_matches}/, got «{reply}»"]
    return []


def judge_texts(case: Case, result: CaseResult, sids: dict[int, str], facts: TextFacts | None) -> None:
    """Check each message's stored status, and the readings, where the database is in reach."""
    if facts is None:
        return
    for turn, step in zip(result.turns, case.steps):
        got = facts.statuses.get(sids.get(step.number, ""))
        turn.value = got
        if step.expect.status is not None and got != step.expect.status:
            turn.problems.append(f"expected the message stored as {step.expect.status}, got {got}")
    result.outcome = facts.statuses.get(sids.get(case.steps[-1].number, ""))
    result.readings = [r.describe() for r in facts.readings]
