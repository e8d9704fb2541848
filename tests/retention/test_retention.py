"""`ivr retention run`: old audio deleted, old numbers pseudonymised, readings kept, one audit entry, one run at a time."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ivr import recordings, retention
from ivr.calls import outbox
from ivr.cli import main
from ivr.clock import Clock, wall
from ivr.retention.pseudonyms import pseudonym
from ivr.runtime import runtime
from ivr.store import audit
from ivr.store.models import AuditEvent, Call, Lock, Message, Meter, Notice, Reading, SenderPhone, Turn
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

NOW = datetime(2026, 11, 17, 9, 0)  # naive UTC: 12:00 in Moscow
KEY = "pseudonym-test-key"
NUMBER = "+79161234567"


def settings_of(app, **changes):  # noqa: ANN001, ANN201
    base = {"retain_audio_days": 30, "retain_caller_days": 90, "pseudonym_key": KEY}
    return dataclasses.replace(runtime(app).config, **{**base, **changes})


def add_call(app, started: datetime, caller: str = NUMBER, audio: bytes = b"RIFF audio") -> str:  # noqa: ANN001
    sid = f"CA{started:%Y%m%d%H%M%S}{abs(hash((started, caller))) % 10**6:06d}"
    recordings.store(runtime(app).config).save(f"{sid}/1.wav", audio)
    with app.app_context(), transaction() as s:
        call = Call(sid=sid, caller=caller, caller_e164=caller, locale="ru", state={"caller": caller, "seq": 3},
                    started_at=started,
                    account_snapshot={"phones": [caller]})  # fmt: skip
        s.add(call)
        s.flush()
        s.add(Turn(call_id=call.id, seq=1, question="reading", kind="digits", mode="voice", prompt_id="reading",
                   asked_at=started, recording_path=f"{sid}/1.wav", heard="сто"))  # fmt: skip
        audit.record(s, NOW, "supervisor", "unmask", f"call:{sid}", new=f"call:{sid}", note=f"saw {caller}")
    return sid


def add_message(app, received: datetime, sender: str = NUMBER) -> int:  # noqa: ANN001
    with app.app_context(), transaction() as s:
        message = Message(channel="sms", external_id=f"SM{received:%Y%m%d%H%M%S%f}", sender=sender,
                          sender_key=sender, locale="ru", body=f"12345 from {sender}", reply="Принято",
                          status="stored", received_at=received)  # fmt: skip
        s.add(message)
        s.flush()
        return message.id


def at(moment: datetime) -> Clock:
    return Clock(ZoneInfo("Europe/Moscow"), lambda: moment)


def run(app, now: datetime = NOW, **changes):  # noqa: ANN001, ANN201
    config = settings_of(app, **changes)
    return retention.run(runtime(app).sessions, config, recordings.store(config), at(now))


def turn_of(app, sid: str) -> Turn:  # noqa: ANN001
    with app.app_context(), transaction() as s:
        turn = s.scalars(select(Turn).join(Call).where(Call.sid == sid)).one()
        s.expunge(turn)
        return turn


def call_of(app, sid: str) -> Call:  # noqa: ANN001
    with app.app_context(), transaction() as s:
        call = s.scalars(select(Call).where(Call.sid == sid)).one()
        s.expunge(call)
        return call


def test_audio_exactly_n_days_old_goes_and_a_second_younger_stays(app):
    old = add_call(app, NOW - timedelta(days=30))
    young = add_call(app, NOW - timedelta(days=30) + timedelta(seconds=1))
    counts = run(app, retain_caller_days=None)
    assert (counts.audio, counts.calls, counts.failed) == (1, 0, 0)
    store = recordings.store(runtime(app).config)
    assert store.size(f"{old}/1.wav") is None and store.size(f"{young}/1.wav") is not None
    assert turn_of(app, old).recording_removed_at == NOW and turn_of(app, young).recording_removed_at is None
    assert turn_of(app, old).heard == "сто"  # what was recognised stays; only the audio goes


def test_days_are_the_utility_calendar_days_across_a_clock_change():
    berlin = ZoneInfo("Europe/Berlin")  # summer time began at 02:00 on 29 March 2026
    now = datetime(2026, 3, 29, 22, 30)  # 00:30 CEST on 30 March
    # 00:30 CET on 29 March: one calendar day earlier, though only 23 hours have passed.
    assert retention.cutoff(now, 1, berlin) == datetime(2026, 3, 28, 23, 30)
    assert retention.cutoff(NOW, 30, ZoneInfo("Europe/Moscow")) == NOW - timedelta(days=30)


def test_numbers_of_old_calls_become_a_stable_keyed_pseudonym(app):
    first = add_call(app, NOW - timedelta(days=100))
    second = add_call(app, NOW - timedelta(days=90))
    young = add_call(app, NOW - timedelta(days=90) + timedelta(seconds=1))
    other = add_call(app, NOW - timedelta(days=95), caller="+79031112233")
    counts = run(app, retain_audio_days=None)
    assert (counts.calls, counts.audio) == (3, 0)
    alias = pseudonym(KEY, NUMBER)
    assert alias.startswith("anon:") and len(alias) == 20 and NUMBER not in alias
    for sid in (first, second):
        call = call_of(app, sid)
        assert (call.caller, call.caller_e164, call.account_snapshot) == (alias, alias, None)
        assert call.state == {"caller": alias, "seq": 3}
    assert call_of(app, other).caller_e164 == pseudonym(KEY, "+79031112233") != alias
    assert call_of(app, young).caller_e164 == NUMBER
    with app.app_context(), transaction() as s:
        notes = {
            e.subject: e.note for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "unmask"))
        }
    assert notes[f"call:{first}"] == f"saw {alias}" and notes[f"call:{young}"] == f"saw {NUMBER}"


def test_message_senders_are_pseudonymised_like_callers(app):
    old = add_message(app, NOW - timedelta(days=90))
    young = add_message(app, NOW - timedelta(days=89))
    email = add_message(app, NOW - timedelta(days=91), sender="ivan@example.ru")
    counts = run(app, retain_audio_days=None)
    assert counts.messages == 2
    with app.app_context(), transaction() as s:
        rows = {m.id: m for m in s.scalars(select(Message))}
    alias = pseudonym(KEY, NUMBER)  # the same as for calls: one caller, one pseudonym, every channel
    assert (rows[old].sender, rows[old].sender_key, rows[old].body) == (alias, alias, f"12345 from {alias}")
    assert rows[email].sender == pseudonym(KEY, "ivan@example.ru") and "ivan@" not in rows[email].body
    assert rows[young].sender == NUMBER


def test_a_phone_shared_before_the_cutoff_is_forgotten(app):
    with app.app_context(), transaction() as s:
        for key, days in (("old", 90), ("young", 89)):
            s.add(
                SenderPhone(
                    channel="pigeon", sender_key=key, phone=NUMBER, shared_at=NOW - timedelta(days=days)
                )
            )
    assert run(app, retain_audio_days=None).contacts == 1
    with app.app_context(), transaction() as s:
        assert list(s.scalars(select(SenderPhone.sender_key))) == ["young"]


def test_notices_done_with_before_the_cutoff_are_deleted_and_those_waiting_kept(app):
    with app.app_context(), transaction() as s:
        for days, state in ((90, "sent_at"), (91, "failed_at"), (90, None), (89, "sent_at")):
            notice = outbox.enqueue(
                s, "sms", NUMBER, f"{days} {state}", NOW - timedelta(days=days), outbox.Kind.EXPIRED
            )
            if state:
                setattr(notice, state, NOW - timedelta(days=days))
    assert run(app, retain_audio_days=None).notices == 2
    with app.app_context(), transaction() as s:
        assert sorted(s.scalars(select(Notice.text))) == ["89 sent_at", "90 None"]


def test_a_second_run_changes_nothing_and_each_run_is_audited_once(app):
    sid = add_call(app, NOW - timedelta(days=100))
    add_message(app, NOW - timedelta(days=100))
    first = run(app)
    before = call_of(app, sid)
    second = run(app)
    assert str(first) == "audio=1 calls=1 messages=1 contacts=0 notices=0 failed=0"
    assert str(second) == "audio=0 calls=0 messages=0 contacts=0 notices=0 failed=0"
    assert call_of(app, sid).caller == before.caller and turn_of(app, sid).recording_removed_at == NOW
    with app.app_context(), transaction() as s:
        runs = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "retention-run").order_by(AuditEvent.id)
        ).all()
    assert [e.new for e in runs] == [str(first), str(second)]
    assert "audio up to 2026-10-18 09:00:00 UTC" in runs[0].note


def test_readings_and_their_history_are_kept(app):
    sid = add_call(app, NOW - timedelta(days=400))
    with app.app_context(), transaction() as s:
        call, meter = s.scalars(select(Call).where(Call.sid == sid)).one(), s.scalars(select(Meter)).first()
        reading = Reading(meter_id=meter.id, zone=1, value=1234, period="2025-10", status="accepted",
                          call_id=call.id, turn_id=call.turns[0].id, received_at=call.started_at)  # fmt: skip
        s.add(reading)
        s.flush()
        audit.record(s, NOW, "supervisor", "correct", f"reading:{reading.id}", 1243, 1234, "typo")
    run(app, retain_audio_days=1, retain_caller_days=1)
    with app.app_context(), transaction() as s:
        kept = s.scalars(select(Reading)).one()
        history = s.scalars(select(AuditEvent).where(AuditEvent.subject == f"reading:{kept.id}")).one()
        assert (kept.value, kept.call.sid, kept.turn.heard) == (1234, sid, "сто")
        assert (history.old, history.new) == ("1243", "1234")


def test_batches_cover_more_rows_than_one_batch(app, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    sids = [add_call(app, NOW - timedelta(days=100, minutes=i)) for i in range(5)]
    counts = run(app)
    assert (counts.audio, counts.calls) == (5, 5)
    assert all(call_of(app, sid).caller.startswith("anon:") for sid in sids)


def test_two_nodes_at_once_one_runs_the_other_stands_aside(app, db_url):
    if db_url.startswith("sqlite"):
        pytest.skip("concurrent writers are PostgreSQL's case; SQLite serialises the whole file")
    sids = [add_call(app, NOW - timedelta(days=100, minutes=i)) for i in range(3)]
    config = settings_of(app)
    real = recordings.store(config)
    start, second_done = threading.Barrier(2), threading.Event()

    class Slow:  # the real store, whose first delete waits until the other run has finished
        url = real.url

        def delete(self, key: str) -> bool:
            second_done.wait(10)
            return real.delete(key)

    results: dict[str, object] = {}

    def node(name: str, store) -> None:  # noqa: ANN001
        start.wait()
        results[name] = retention.run(runtime(app).sessions, config, store, at(NOW))
        if results[name] is None:
            second_done.set()

    threads = [threading.Thread(target=node, args=(n, s)) for n, s in (("a", Slow()), ("b", Slow()))]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    ran = [r for r in results.values() if r is not None]
    assert len(results) == 2 and len(ran) == 1 and str(ran[0]).startswith("audio=3 calls=3")
    with app.app_context(), transaction() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "retention-run")) == 1
    assert all(call_of(app, sid).caller.startswith("anon:") for sid in sids)
    assert run(app) is not None  # the lock was released


def test_the_command_runs_from_the_settings(app, settings, monkeypatch):
    sid = add_call(app, wall() - timedelta(days=31))  # the command runs on the real clock
    for name, value in {"IVR_DATABASE_URL": settings["IVR_DATABASE_URL"], "IVR_RETAIN_AUDIO_DAYS": "30",
                        "IVR_RECORDINGS_DIR": settings["IVR_RECORDINGS_DIR"]}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["retention", "run"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("retention: audio=1 calls=0")
    assert turn_of(app, sid).recording_removed_at is not None


def test_unset_settings_keep_everything(app, settings, monkeypatch):
    add_call(app, wall() - timedelta(days=3000))
    monkeypatch.setenv("IVR_DATABASE_URL", settings["IVR_DATABASE_URL"])
    result = CliRunner().invoke(main, ["retention", "run"])
    assert result.exit_code == 0 and "everything is kept" in result.output


def test_audio_the_store_will_not_delete_is_counted_failed_and_tried_again(app, s3):
    import boto3

    store = recordings.open_store(s3["IVR_RECORDINGS_URL"], s3["IVR_STORAGE_ENDPOINT_URL"])
    sid = add_call(app, NOW - timedelta(days=100))
    config = settings_of(app, recordings_url=store.url, storage_endpoint_url=s3["IVR_STORAGE_ENDPOINT_URL"])
    bucket = store.bucket
    boto3.client("s3", endpoint_url=s3["IVR_STORAGE_ENDPOINT_URL"]).delete_bucket(
        Bucket=bucket
    )  # the store fails
    counts = retention.run(runtime(app).sessions, config, store, at(NOW))
    assert (counts.audio, counts.failed) == (0, 1)
    assert turn_of(app, sid).recording_removed_at is None  # not marked: the next run tries again


def test_a_live_lease_keeps_a_run_out_and_a_lapsed_one_does_not(app):
    add_call(app, NOW - timedelta(days=100))
    with app.app_context(), transaction() as s:
        s.get(Lock, "retention").holder, s.get(Lock, "retention").until = (
            "node-b:1",
            NOW + timedelta(minutes=5),
        )
    assert run(app) is None
    with app.app_context(), transaction() as s:
        s.get(Lock, "retention").until = NOW - timedelta(seconds=1)  # node b died mid-run
    assert str(run(app)).startswith("audio=1 calls=1")
    with app.app_context(), transaction() as s:
        assert s.get(Lock, "retention").holder is None
