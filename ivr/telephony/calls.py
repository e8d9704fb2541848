"""One webhook of one call: load its state, run the flow, save, and answer with TwiML."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr import flows
from ivr.flows.model import Action, Ask, Context, Event, SaveMeter, Transfer
from ivr.flows.regions import Regions
from ivr.flows.rules import Rules
from ivr.store.directory import StoreDirectory, account_id
from ivr.store.models import Call, Turn, utcnow
from ivr.store.phones import mask, mask_address
from ivr.store.readings import save_meter
from ivr.telephony.twiml import Renderer

log = logging.getLogger(__name__)


@dataclass
class Answer:
    """What the caller did, with what the recogniser made of it, for the Turn record."""

    event: Event
    outcome: str  # answered, no-input, no-match, keys
    heard: str | None = None
    keys: str | None = None
    confidence: float | None = None
    words: list | None = None
    asr_seconds: float | None = None
    recording_path: str | None = None


def context(
    session: Session, regions: Regions, now: datetime, locale: str, reading_rules: Rules, tz: tzinfo
) -> Context:
    """What the flow needs for one webhook; `now` is naive UTC, `today` the utility's date."""
    today = now.replace(tzinfo=timezone.utc).astimezone(tz).date()
    directory = StoreDirectory(session, regions, today)
    return Context(directory, regions, today, locale, now, reading_rules)


def begin(session: Session, call: Call, ctx: Context, renderer: Renderer, keypad: bool) -> str:
    """Greet a new call and ask the first question."""
    state, actions = flows.start(flows.Start(call.caller_e164), ctx, call.locale, keypad)
    log.info("call %s from %s started", call.sid, mask(call.caller_e164))
    return _apply(session, call, state, actions, ctx, renderer)


def answer(session: Session, call: Call, got: Answer, ctx: Context, renderer: Renderer) -> str:
    """Take the answer to the question the call waits on."""
    state = flows.CallState.from_dict(call.state)
    new_state, actions = flows.advance(state, got.event, ctx)
    turn = session.scalars(select(Turn).where(Turn.call_id == call.id, Turn.seq == call.seq)).first()
    if turn is not None:
        turn.answered_at = utcnow()
        turn.outcome, turn.heard, turn.keys = got.outcome, got.heard, got.keys
        turn.confidence, turn.words, turn.asr_seconds = got.confidence, got.words, got.asr_seconds
        turn.recording_path = got.recording_path
        turn.value = getattr(got.event, "value", None) or got.keys
        turn.decision = _decision(new_state, actions)
    return _apply(session, call, new_state, actions, ctx, renderer)


def _apply(session, call, state, actions: list[Action], ctx, renderer) -> str:  # noqa: ANN001
    for action in actions:
        if isinstance(action, SaveMeter):
            save_meter(session, action, call.id, _reading_turns(session, call, action), ctx.now)
    if state.account and state.account != (call.state or {}).get("account"):  # only on a change
        call.account_id = account_id(session, state.account)
    call.seq += 1
    call.state = state.to_dict()
    ask = next((a for a in actions if isinstance(a, Ask)), None)
    if ask is not None:
        session.add(_turn(call, ask, actions, renderer))
    call.last_twiml = renderer.render(actions, call.seq)
    if state.ended and call.outcome is None:
        call.outcome = state.ended
    session.flush()
    return call.last_twiml


def _turn(call: Call, ask: Ask, actions: list[Action], renderer: Renderer) -> Turn:
    says = [*(a for a in actions if isinstance(a, flows.Say)), flows.Say(ask.prompt, ask.params)]
    text = " ".join(renderer.text(s.prompt, _masked(s.params)) for s in says).strip()
    return Turn(
        call_id=call.id,
        seq=call.seq,
        question=ask.question,
        kind=ask.kind,
        mode="keypad" if ask.keypad else "voice",
        prompt_id=ask.prompt,
        prompt_text=text,
    )


def _masked(params: dict) -> dict:
    # The stored prompt keeps no address: it outlives the account's, and may be another's.
    return {**params, "address": mask_address(params["address"])} if "address" in params else dict(params)


def _decision(state: flows.CallState, actions: list[Action]) -> str:
    if any(isinstance(a, Transfer) for a in actions):
        return "transfer"
    return "hangup" if state.ended else state.node


def _reading_turns(session: Session, call: Call, save: SaveMeter) -> dict[int, int]:
    """Link each saved zone reading to the turn where the caller gave it."""
    turns = session.scalars(
        select(Turn).where(Turn.call_id == call.id, Turn.question == "reading").order_by(Turn.seq)
    ).all()
    links = {}
    for zr in save.readings:
        given = [t for t in turns if t.value is not None and t.value.isdigit()
                 and int(t.value) == zr.value]  # fmt: skip
        if given:
            links[zr.zone] = given[-1].id
    return links
