"""Call outcomes as supervisors see them: a transfer with no operator to dial is not a transfer.

The flow ends such a call as "transferred"; the line then apologised and hung up. The TwiML the
call last received tells the two apart: only a real transfer holds a <Dial>.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, not_

from ivr.store.models import Call

OUTCOMES = ("completed", "transferred", "no_operator", "abandoned", "failed")
DIAL = "<Dial"


def shown(call: Call) -> str | None:
    """The outcome of one call, None while it goes on."""
    if call.outcome == "transferred" and DIAL not in (call.last_twiml or ""):
        return "no_operator"
    return call.outcome


def column() -> ColumnElement:
    """The same outcome in SQL, to filter and count by."""
    unanswered = and_(Call.outcome == "transferred", not_(Call.last_twiml.contains(DIAL)))
    return case((unanswered, "no_operator"), else_=Call.outcome)
