"""The flow's Directory for one call: the call's account is loaded once, then kept on the call."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy.orm import Session

from ivr import flows
from ivr.flows import Regions
from ivr.store.directory import StoreDirectory


class CallDirectory:
    """Serve the call's account from its snapshot; look anything else up in the store.

    Loading an account costs four queries, and the flow asks for it at every reading. The snapshot
    is safe to reuse: readings are checked again against the meter, under its lock, when saved.
    """

    def __init__(self, s: Session, regions: Regions, now: datetime, snapshot: dict | None) -> None:
        self.store = StoreDirectory(s, regions, now)
        self.snapshot = snapshot
        self._fresh: dict[str, tuple[int, dict]] = {}

    def by_phone(self, e164: str) -> list[str]:
        return self.store.by_phone(e164)

    def account(self, number: str) -> flows.AccountInfo | None:
        if self.snapshot and self.snapshot["number"] == number:
            return from_snapshot(self.snapshot)
        info = self.store.account(number)
        if info is not None:
            account_id = self.store.ids[number]
            self._fresh[number] = (account_id, {**_jsonable(asdict(info)), "id": account_id})
        return info

    def loaded(self, number: str | None) -> tuple[int, dict] | None:
        """The id and snapshot of an account first loaded in this turn, to keep on the call."""
        return self._fresh.get(number or "")


def from_snapshot(data: dict) -> flows.AccountInfo:
    meters = tuple(
        flows.MeterInfo(m["id"], m["serial"], m["digits"], tuple(
            flows.ZoneInfo(z["zone"], z["previous"], _date(z["previous_on"]), z["daily_use"])
            for z in m["zones"]
        ))
        for m in data["meters"]
    )  # fmt: skip
    return flows.AccountInfo(data["number"], data["address"], data["region"], meters)


def _jsonable(data: dict) -> dict:
    return json.loads(json.dumps(data, default=str))  # dates as ISO strings


def _date(value: str | date | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value
