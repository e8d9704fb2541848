"""Text cases (sms: turns): the format, clear failures, and every text case green over signed HTTP."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager

import pytest
import yaml
from werkzeug.serving import make_server

from ivr.qa.cases import CaseError, find_cases, load_case
from ivr.qa.replay import run_case
from ivr.qa.report import table
from ivr.qa.targets import Remote
from tests.qa.conftest import CALLS
from tests.serving import free_port

TEXT_CASES = [p for p in find_cases([CALLS]) if load_case(p).texts and not load_case(p).telegram]  # SMS


def test_the_library_has_text_cases_for_the_rules():
    assert len(TEXT_CASES) >= 12


@contextmanager
def served(in_process, case):
    """The case's fresh app on a real HTTP server on loopback, its public URL the server's."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with in_process.app(case, public_url=base) as app:
        http = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=http.serve_forever, daemon=True)
        thread.start()
        try:
            yield base, app
        finally:
            http.shutdown()
            thread.join(5)


@pytest.mark.parametrize("path", TEXT_CASES, ids=lambda p: p.stem)
def test_text_case_replays_green_over_signed_http(path, in_process, recordings):
    case = load_case(path)
    with served(in_process, case) as (base, _):
        result = run_case(case, Remote(base, recordings, token=in_process.token))
    assert result.passed, "\n" + table([result])
    assert [t.said for t in result.turns] and all(t.said for t in result.turns)


def test_a_forged_signature_fails_the_text_case_with_http_403(in_process, recordings):
    case = load_case(CALLS / "sms-plain-reading-is-stored.yaml")
    with served(in_process, case) as (base, _):
        result = run_case(case, Remote(base, recordings, token="not-the-token"))
    assert result.failures() == [f"turn 1 (sms '100001 1100'): {base}/twilio/sms?locale=ru answered HTTP 403"]


def broken(tmp_path, name: str, change) -> object:  # noqa: ANN001
    """A copy of a library case with one change, loaded."""
    shutil.copytree(CALLS / "fixtures", tmp_path / "fixtures", dirs_exist_ok=True)
    case = yaml.safe_load((CALLS / name).read_text(encoding="utf-8"))
    change(case)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    return load_case(path)


def test_a_wrong_reply_status_and_reading_fail_naming_the_turn_and_what_came(tmp_path, in_process):
    def change(case):  # noqa: ANN001, ANN202
        case["turns"][0]["expect"] = {"reply": "Отклонено", "status": "stored"}
        case["turns"][1]["expect"] = {"reply_matches": r"^\d+$"}
        case["end"]["readings"][0]["value"] = 901

    case = broken(tmp_path, "sms-lower-value-refused-then-sent-again-goes-to-review.yaml", change)
    failures = run_case(case, in_process).failures()
    assert failures[0].startswith(
        "turn 1 (sms '100001 900'): expected a reply containing «Отклонено», got «Т1 (общее): 900 меньше"
    )
    assert failures[1] == "turn 1 (sms '100001 900'): expected the message stored as stored, got refused"
    assert failures[2].startswith(r"turn 2 (sms '100001 900'): expected a reply matching /^\d+$/, got «")
    assert failures[3] == ("end: reading 1: expected value 901, saved 900 "
                           "(M-1 T1 = 900 (pending_review, NEGATIVE))")  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["turns"].append({"press": "1"}), "a call or a text conversation"),
        (lambda c: c["turns"][0].update(sms=None), "turn 1: sms: no text"),
        (lambda c: c["turns"][0]["expect"].update(reply_matches="(unclosed"), "expect.reply_matches"),
    ],
)
def test_a_malformed_text_case_is_refused_with_the_reason(tmp_path, change, message):
    with pytest.raises(CaseError, match=message):
        broken(tmp_path, "sms-plain-reading-is-stored.yaml", change)


def test_sid_and_media_belong_to_sms_turns(tmp_path):
    def change(case):  # noqa: ANN001, ANN202
        case["turns"] = [{"press": "1", "media": 1}]

    shutil.copy(CALLS / "fixtures" / "moscow.csv", tmp_path / "moscow.csv")
    with pytest.raises(CaseError, match="sid and media belong to sms turns"):
        broken(tmp_path, "ru-high-use-gets-the-special-confirmation.yaml", change)


def test_a_text_case_is_skipped_over_the_media_stream_with_the_reason():
    from ivr.qa.streamed import skip_reason

    assert skip_reason(load_case(CALLS / "sms-plain-reading-is-stored.yaml")) == (
        "a text case has no call to listen to: replay it with --listen record"
    )
