"""Turn a stored call into a replay case: the caller's audio, keys and silences, and how it ended."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import wave
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr import recordings
from ivr.flows import KINDS, status_for
from ivr.qa.facts import Facts, call_facts
from ivr.store.accounts_csv import HEADER
from ivr.store.models import Account, AuditEvent, Phone, Reading, Turn
from ivr.store.review import subject


class ExportError(LookupError):
    """The call cannot be exported."""


class Pseudonyms:
    """Replace phone numbers and addresses with stand-ins keyed by a secret, the same for the same input."""

    def __init__(self, secret: str) -> None:
        self.key = secret.encode()

    def _digest(self, text: str) -> str:
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()

    def phone(self, e164: str) -> str:
        # +7 900 is a valid Russian mobile range, so the stand-in identifies callers like a real one.
        return "+7900" + str(int(self._digest(e164), 16))[-7:]

    def address(self, address: str) -> str:
        return f"pseudonymised address {self._digest(address)[:6]}"


def export_call(session: Session, sid: str, store: recordings.Recordings, out: Path, secret: str,
                operator: str | None = None, warn: Callable[[str], None] = lambda _: None) -> Path:  # fmt: skip
    """Write <out>/call-<sid>.yaml with its account fixture and audio; return the case path.

    A turn whose audio retention removed says its transcript instead (say_text), and `warn` names it.
    """
    facts = call_facts(session, sid)
    if facts is None:
        raise ExportError(f"no call {sid} in the database")
    turns = sorted(facts.turns.values(), key=lambda t: t.seq)
    if not turns:
        raise ExportError(f"call {sid} asked no question: nothing to replay")
    names = Pseudonyms(secret)
    name = f"call-{''.join(c for c in sid if c.isalnum())}"
    (out / "fixtures").mkdir(parents=True, exist_ok=True)
    query = select(Reading).where(Reading.call_id == facts.call.id).order_by(Reading.id)
    saved = list(session.scalars(query))
    (out / "fixtures" / f"{name}.csv").write_text(_accounts(session, facts, turns, saved, names),
                                                  encoding="utf-8")  # fmt: skip
    taken = values_taken(session, saved)
    steps = [{"dial": None, "expect": {"prompt": turns[0].prompt_id}}]
    steps += [_step(t, turns, store, out, name, warn) for t in turns]
    call = facts.call
    case = {
        "name": f"exported call {call.sid}",
        "caller": names.phone(call.caller_e164) if call.caller_e164 else "anonymous",
        "locale": call.locale,
        # Readings carry the app's clock (IVR_CLOCK when set); started_at is always the real time.
        # Both are UTC, and the stamp says so: "2026-11-17T09:00+00:00", not a local-looking 09:00.
        "now": min([r.received_at for r in saved], default=call.started_at)
        .replace(tzinfo=UTC)
        .isoformat(timespec="minutes"),
        "voice": turns[0].mode == "voice",
        **({"operator": operator} if operator else {}),
        "accounts": f"{name}.csv",
        "turns": steps,
        "end": {"outcome": call.outcome, "readings": [
            {"meter": r.meter, "zone": r.zone, "value": taken.get(row.id, r.value),
             "status": status_for(r.flags).value, "flags": list(r.flags)}
            for r, row in zip(facts.readings, saved)]},
    }  # fmt: skip
    path = out / f"{name}.yaml"
    path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def values_taken(session: Session, saved: list[Reading]) -> dict[int, int]:
    """The values the hotline took, by reading id, where a supervisor corrected one since.

    The replay hears the caller again, so it saves what the caller said, not the correction;
    the audit trail keeps the value each first correction replaced.
    """
    taken: dict[int, int] = {}
    subjects = {subject(r): r.id for r in saved}
    for event in session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "correct", AuditEvent.subject.in_(subjects))
        .order_by(AuditEvent.id)
    ):
        taken.setdefault(subjects[event.subject], int(event.old))
    return taken


def _step(turn: Turn, turns: list[Turn], store: recordings.Recordings, out: Path, name: str,
          warn: Callable[[str], None]) -> dict:  # fmt: skip
    """What the caller did at one question, and what the app said next."""
    if turn.answered_at is None:  # the last question, never answered: the caller hung up
        return {"hangup": None}
    if turn.outcome == "keys":
        kind = KINDS.get(turn.kind) if turn.mode == "keypad" else None
        step: dict = {"press": turn.keys + (kind.finish_key if kind else "")}  # Twilio drops the finish key
    elif turn.outcome == "no-input":
        step = {"silence": None}
    elif turn.recording_removed_at:
        warn(f"turn {turn.seq}: audio removed by retention on {turn.recording_removed_at:%Y-%m-%d}; "
             "the case says its transcript instead")  # fmt: skip
        step = {"say_text": turn.heard or "", "confidence": turn.confidence or 0.0}
    else:
        audio = out / "audio" / name / f"{turn.seq}.wav"
        audio.parent.mkdir(parents=True, exist_ok=True)
        kept = recordings.read(store, turn.recording_path) if turn.recording_path else None
        # No audio: the recording never arrived; the app heard nothing, as it will from silence.
        audio.write_bytes(kept or silent_wav())
        step = {"say": str(audio.relative_to(out))}
    following = next((t for t in turns if t.seq == turn.seq + 1), None)
    expect = {"prompt": following.prompt_id} if following else {}
    if turn.decision == "hangup":
        expect = {"prompt": "goodbye"}
    if turn.value is not None:
        expect["value"] = turn.value
    return {**step, "expect": expect} if expect else step


def _accounts(session: Session, facts: Facts, turns: list[Turn], saved: list[Reading],
              names: Pseudonyms) -> str:  # fmt: skip
    """The accounts the call could reach, as they stood before it, pseudonymised."""
    numbers = {t.value for t in turns if t.question == "account" and t.value}
    if facts.call.account is not None:
        numbers.add(facts.call.account.number)
    query = select(Account).where(Account.number.in_(numbers))
    if facts.call.caller_e164:
        query = select(Account).where(
            Account.number.in_(numbers) | Account.phones.any(Phone.e164 == facts.call.caller_e164)
        )
    before = {(r.meter_id, r.zone): r for r in saved}  # the readings the call replaced
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for acc in session.scalars(query.order_by(Account.id)):
        phones = ";".join(names.phone(p.e164) for p in acc.phones)
        # The meters the call could be asked about: those not retired by an import before it.
        asked = [m for m in acc.meters if m.retired_at is None or m.retired_at > facts.call.started_at]
        for m in asked:
            last = [before[(m.id, z)].previous if (m.id, z) in before else m.last(z) for z in (1, 2, 3)]
            read_on = next((before[(m.id, z)].previous_on for z in (1, 2, 3) if (m.id, z) in before),
                           m.last_read_on)  # fmt: skip
            writer.writerow([acc.number, phones, names.address(acc.address), acc.region, m.serial,
                             m.zones, m.digits, *["" if v is None else v for v in last],
                             read_on.isoformat() if read_on else ""])  # fmt: skip
    return out.getvalue()


def silent_wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A telephone-format WAV of silence."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * int(seconds * rate))
    return out.getvalue()
