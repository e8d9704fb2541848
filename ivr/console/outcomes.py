"""Call outcomes as supervisors see them: a transfer with no operator to dial is not a transfer.

The flow ends such a call as "transferred"; the line then apologised and hung up. The call records
whether its transfer dialled an operator, and that tells the two apart.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, not_

from ivr.store.models import Call

OUTCOMES = ("completed", "transferred", "no_operator", "abandoned", "failed")


def shown(call: Call) -> str | None:
    """The outcome of one call, None while it goes on."""
    if call.outcome == "transferred" and not call.operator_dialled:
        return "no_operator"
    return call.outcome


def column() -> ColumnElement:
    """The same outcome in SQL, to filter and count by."""
    unanswered = and_(Call.outcome == "transferred", not_(Call.operator_dialled))
    return case((unanswered, "no_operator"), else_=Call.outcome)
