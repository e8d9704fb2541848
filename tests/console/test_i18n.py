"""The console speaks Russian by default and English on request."""

from __future__ import annotations

import pytest

from ivr.console.i18n import LOCALES, messages
from ivr.flows import Channel, Flag, MessageStatus, ReadingStatus, TransferReason, question_order

ENGLISH = {
    "/console/calls": "Calls",
    "/console/readings": "Review queue",
    "/console/dashboard": "Dashboard",
    "/console/users": "Add a user",
}
RUSSIAN = {
    "/console/calls": "Звонки",
    "/console/readings": "Очередь проверки",
    "/console/dashboard": "Сводка",
    "/console/users": "Добавить пользователя",
}


def test_both_catalogues_have_the_same_keys():
    assert set(messages("ru")) == set(messages("en"))
    assert all(messages(code).values() for code in LOCALES)


def test_every_word_the_console_shows_has_a_name_in_both_catalogues():
    """Questions, transfer reasons, statuses, channels and flags: what filters offer and badges show."""
    names = [f"question.{q}" for q in question_order()] + [f"reason.{r}" for r in TransferReason]
    names += [f"message_status.{s}" for s in MessageStatus] + [f"status.{s}" for s in ReadingStatus]
    names += (
        [f"channel.{c}" for c in Channel] + [f"flag.{f}" for f in Flag] + [f"flag.{f}.hint" for f in Flag]
    )
    for code in LOCALES:
        assert [n for n in names if n not in messages(code)] == [], code


def test_russian_is_the_default(login, make_call):
    made = make_call()
    console = login("admin")
    for path, text in {
        **RUSSIAN,
        f"/console/calls/{made.sid}": "Разговор",
        f"/console/readings/{made.reading_id}": "Журнал решений",
    }.items():
        page = console.get(path).get_data(as_text=True)
        assert text in page and '<html lang="ru">' in page, path


def test_english_is_chosen_with_lang_and_remembered_in_a_cookie(login, make_call):
    made = make_call()
    console = login("admin")
    first = console.get("/console/calls?lang=en")
    assert "console_lang=en" in first.headers["Set-Cookie"]
    for path, text in {
        **ENGLISH,
        f"/console/calls/{made.sid}": "Conversation",
        f"/console/readings/{made.reading_id}": "Audit trail",
    }.items():
        page = console.get(path).get_data(as_text=True)
        assert text in page and '<html lang="en">' in page, path
    assert "Звонки" not in console.get("/console/calls").get_data(as_text=True)


@pytest.mark.parametrize("lang", LOCALES)
def test_login_form_and_errors_render_in_each_locale(anonymous, users, lang):
    page = anonymous.get(f"/console/login?lang={lang}").get_data(as_text=True)
    assert messages(lang)["login.title"] in page
    failed = anonymous.login("qa", "wrong").get_data(as_text=True)
    assert messages(lang)["login.failed"] in failed


def test_unknown_language_falls_back_to_russian(anonymous):
    assert "Вход в консоль" in anonymous.get("/console/login?lang=xx").get_data(as_text=True)
