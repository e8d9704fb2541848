"""Take one caller event for one call, once: load the call, run the flow, save its effects."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ivr import flows, metrics
from ivr.calls.answers import Answer
from ivr.calls.directory import CallDirectory
from ivr.calls.streams import LIVE, STARTING, CallStreams
from ivr.calls.turns import asked, reading_turns, record_answer
from ivr.clock import Clock
from ivr.flows import Regions, Rules
from ivr.store import database
from ivr.store.models import Call, Turn
from ivr.store.phones import mask, normalise
from ivr.store.readings import VerdictChanged, save_meter

log = logging.getLogger(__name__)
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}


class Renderer(Protocol):
    """What a transport gives the service: its reply format, and prompt texts for the Turn record."""

    def render(self, actions: list[flows.Action], seq: int, stream: bool = False) -> str:
        """The reply; with stream, voice questions listen on the call's media stream."""
        ...

    def text(self, prompt: str, params: dict) -> str: ...


@dataclass(frozen=True)
class Reply:
    """The reply to send: what the transport renders, for the question the call now waits on."""

    body: str
    seq: int
    replayed: bool = False  # a retry or a duplicate: the stored reply, nothing changed


@dataclass(frozen=True)
class Waiting:
    """The question a call waits on, read before recognition, outside any transaction."""

    seq: int
    kind: str
    locale: str


class CallService:
    """The only place that loads a call, runs the flow, saves its effects and persists its state."""

    def __init__(self, sessions: sessionmaker, regions: Regions, rules: Rules, clock: Clock,
                 operator: bool) -> None:  # fmt: skip
        """operator: the line has an operator to dial, so a transfer puts the caller through."""
        self.sessions, self.regions, self.rules, self.clock = sessions, regions, rules, clock
        self.operator = operator
        self.streams = CallStreams(sessions)

    def begin(self, sid: str, caller: str, called: str, locale: str, keypad: bool,
              renderer: Renderer, stream: bool = False) -> Reply:  # fmt: skip
        """Greet a new call; every duplicate of the first webhook gets the same greeting.

        With stream, the greeting starts the call's media stream and its questions listen on it.
        """

        def work(s: Session) -> Reply:
            values = {"sid": sid, "caller": caller[:64], "caller_e164": normalise(caller),
                      "called": called[:64], "locale": locale, "state": {}, "seq": 0,
                      "last_twiml": "", "status": "in-progress", "version": 1,
                      "started_at": self.clock.now(), "errors": 0, "operator_dialled": False, "listen": STARTING if stream else None}  # fmt: skip
            s.execute(database.insert_ignoring(s, Call, values))
            call = self._locked(s, sid)
            if call.seq > 0:  # another delivery of this webhook greeted the caller already
                return Reply(call.last_twiml, call.seq, replayed=True)
            ctx = self._context(s, call)
            state, actions = flows.start(flows.Start(call.caller_e164), ctx, call.locale, keypad)
            log.info("call %s from %s started", sid, mask(call.caller_e164))
            return self._apply(s, call, state, actions, renderer, ctx, stream)

        return database.run(self.sessions, work)

    def waiting(self, sid: str) -> Waiting | None:
        """The question the call waits on, so its answer can be recognised before the flow runs."""

        def work(s: Session) -> Waiting | None:
            row = s.execute(
                select(Call.seq, Turn.kind, Call.locale)
                .outerjoin(Turn, (Turn.call_id == Call.id) & (Turn.seq == Call.seq))
                .where(Call.sid == sid)
            ).first()
            return Waiting(row.seq, row.kind or "free", row.locale) if row else None

        return database.run(self.sessions, work)

    def answer(self, sid: str, q: int, answer: Answer,
               renderers: Callable[[str], Renderer]) -> Reply | None:  # fmt: skip
        """Take the answer to question q once; a retry, a duplicate or a late one replays the reply."""

        def work(s: Session) -> Reply | None:
            call = self._locked(s, sid)
            if call is None:
                return None
            if q != call.seq or not call.last_twiml:
                return Reply(call.last_twiml, call.seq, replayed=True)
            state = flows.CallState.from_dict(call.state)
            ctx = self._context(s, call)
            new_state, actions = flows.advance(state, answer.event, ctx)
            try:
                self._save(s, call, actions, ctx)
            except VerdictChanged as changed:  # nothing saved: the caller hears the new verdict
                log.info("call %s: %s; asking again", call.sid, changed)
                ctx = self._context(s, call, fresh=True)
                new_state, actions = flows.reconfirm(state, changed.zone, ctx)
            record_answer(s, call, answer, _decision(new_state, actions), ctx.now)
            database.after_commit(s, lambda q=state.node: metrics.answers.labels(q, answer.outcome).inc())
            # A stream that never went live, or was lost, leaves the call on <Record>.
            return self._apply(s, call, new_state, actions, renderers(call.locale), ctx,
                               call.listen == LIVE)  # fmt: skip

        return database.run(self.sessions, work)

    def replay(self, sid: str) -> str | None:
        """The reply last sent for the call, to ask its question again."""
        return database.run(self.sessions, lambda s: s.scalar(select(Call.last_twiml).where(Call.sid == sid)))

    def close(self, sid: str, status: str) -> None:
        """Record the call's status; outside the flow's lock, so it never conflicts with an answer."""

        def work(s: Session) -> None:
            s.execute(update(Call).where(Call.sid == sid).values(status=status[:20] or Call.status)
                      .execution_options(synchronize_session=False))  # fmt: skip
            if status not in ENDED:
                return
            call = s.scalars(select(Call).where(Call.sid == sid, Call.ended_at.is_(None))).first()
            if call is None:
                return
            ended = self.clock.now()
            hung_up = status in ("completed", "canceled")  # Twilio's words for "the line ended"
            outcome = call.outcome or (flows.Outcome.ABANDONED if hung_up else flows.Outcome.FAILED)
            closed = s.execute(update(Call).where(Call.id == call.id, Call.ended_at.is_(None)).values(
                ended_at=ended, duration_s=int((ended - call.started_at).total_seconds()),
                outcome=outcome, account_snapshot=None,
            ).execution_options(synchronize_session=False))  # fmt: skip
            if closed.rowcount:  # a repeated final status closes nothing, and counts nothing
                database.after_commit(s, lambda: metrics.calls_ended.labels(
                    outcome, call.end_reason or "none").inc())  # fmt: skip

        database.run(self.sessions, work)

    def failed(self, sid: str) -> int:
        """Count a webhook that failed for this call; return how many failed in a row."""

        def work(s: Session) -> int:
            s.execute(update(Call).where(Call.sid == sid).values(errors=Call.errors + 1)
                      .execution_options(synchronize_session=False))  # fmt: skip
            return s.scalar(select(Call.errors).where(Call.sid == sid)) or 0

        return database.run(self.sessions, work)

    def handed_over(self, sid: str, reason: str) -> None:
        """Record that the transport ended the call itself (after repeated failures): no flow ran."""

        def work(s: Session) -> None:
            s.execute(update(Call).where(Call.sid == sid, Call.outcome.is_(None)).values(
                outcome=flows.Outcome.TRANSFERRED, end_reason=reason, operator_dialled=self.operator,
                account_snapshot=None,
            ).execution_options(synchronize_session=False))  # fmt: skip

        database.run(self.sessions, work)

    def _locked(self, s: Session, sid: str) -> Call | None:
        # The row lock queues a duplicate delivery behind the first, which then sees seq moved on.
        return s.scalars(select(Call).where(Call.sid == sid).with_for_update()).first()

    def _context(self, s: Session, call: Call, fresh: bool = False) -> flows.Context:
        """The flow's context at this request's moment; `fresh` reads the account from the store,
        not from the call's snapshot."""
        now = self.clock.now()
        directory = CallDirectory(s, self.regions, now, None if fresh else call.account_snapshot)
        return flows.Context(directory, self.regions, now, call.locale, self.rules, call.seq)

    def _save(self, s: Session, call: Call, actions: list[flows.Action], ctx: flows.Context) -> None:
        for action in actions:
            if isinstance(action, flows.SaveMeter):
                saved = save_meter(s, action, self.regions, ctx.now, call.id, reading_turns(s, call, action))
                database.after_commit(s, lambda n=len(saved): log.info(
                    "call %s: %d readings saved", call.sid, n))  # fmt: skip

    def _apply(self, s: Session, call: Call, state: flows.CallState, actions: list[flows.Action],
               renderer: Renderer, ctx: flows.Context, stream: bool) -> Reply:  # fmt: skip
        loaded = ctx.directory.loaded(state.account)
        if loaded is not None:  # the call moved to another account: remember it for the next turns
            call.account_id, call.account_snapshot = loaded
        call.seq += 1
        call.state = state.to_dict()
        call.errors = 0
        ask = next((a for a in actions if isinstance(a, flows.Ask)), None)
        if ask is not None:
            s.add(asked(call, ask, actions, renderer, ctx.now))
        call.last_twiml = renderer.render(actions, call.seq, stream)
        if state.ended:
            call.outcome = state.ended
            transfer = next((a for a in actions if isinstance(a, flows.Transfer)), None)
            call.end_reason = transfer.reason if transfer else None
            call.operator_dialled = transfer is not None and self.operator
            call.account_snapshot = None  # the address is needed no longer
        s.flush()
        return Reply(call.last_twiml, call.seq)


def _decision(state: flows.CallState, actions: list[flows.Action]) -> str:
    if any(isinstance(a, flows.Transfer) for a in actions):
        return "transfer"
    return "hangup" if state.ended else state.node
