"""DEVELOPERS.md's "To add a flag or a reading rule", followed: a toy rule, "zero use goes to a
supervisor", changed in one place (`rules.status_for`), and the read-back, the store under its lock,
the text reply and the console's correction all follow it."""

from datetime import datetime

import pytest
from sqlalchemy import select

from ivr.flows import Context, Flag, Keys, ReadingStatus, SaveMeter, Start, advance, rules, start
from ivr.flows.regions import load
from ivr.store.directory import StoreDirectory
from ivr.store.models import Reading
from ivr.store.readings import save_meter
from tests.sessions import transaction
from tests.texts.conftest import send  # noqa: F401 - the fixture

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
REGIONS = load(None)
ORIGINAL = rules.status_for


def zero_goes_to_review(flags, rule=rules.Rules()):  # noqa: ANN001, ANN201
    return ReadingStatus.PENDING_REVIEW if Flag.ZERO in set(flags) else ORIGINAL(flags, rule)


@pytest.fixture
def new_rule(monkeypatch):
    monkeypatch.setattr(rules, "status_for", zero_goes_to_review)  # the one change


def test_the_voice_line_tells_the_caller_and_stores_it_for_review(app, new_rule):
    now = datetime(2026, 11, 17, 9)
    with app.app_context(), transaction() as s:
        ctx = Context(StoreDirectory(s, REGIONS, now), REGIONS, now)
        state, _ = start(Start("+79161234567"), ctx, keypad=True)
        for keys in ("1", "1", "1000", "1"):
            state, actions = advance(state, Keys(keys), ctx)
        [save] = [a for a in actions if isinstance(a, SaveMeter)]
        [stored] = save_meter(s, save, REGIONS, now)  # judged again under the lock: the same verdict
        assert "review" in [getattr(a, "prompt", None) for a in actions]
        assert (stored.status, stored.flag_list) == ("pending_review", ["ZERO"])


def test_the_text_reply_says_so_too(app, new_rule, send):  # noqa: F811
    out = send("100001 1000")
    assert "на проверку специалисту" in out.text
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Reading.status)).one() == "pending_review"


def test_without_the_rule_zero_use_is_accepted(app, send):  # noqa: F811
    assert send("100001 1000").status == "stored"
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Reading.status)).one() == "accepted"
