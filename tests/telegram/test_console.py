"""The console's messages view shows Telegram messages as it shows SMS: the chat id masked."""

from __future__ import annotations

import re

from tests.console.conftest import login, users  # noqa: F401 - the console's logged-in clients
from tests.telegram.conftest import CHAT, KNOWN


def test_a_telegram_message_is_listed_with_its_chat_id_masked_and_filtered_by_its_channel(telegram, login):  # noqa: F811
    assert telegram(text="100001 1100").status_code == 200
    console = login("qa")
    page = console.get("/console/messages?channel=telegram").get_data(as_text=True)
    [found] = re.findall(r'href="/console/messages/(\d+)', page)
    detail = console.get(f"/console/messages/{found}").get_data(as_text=True)
    for shown in (page, detail):
        assert "tg:••••••••42" in shown and str(CHAT) not in shown
        assert "Telegram" in shown and "100001 1100" in shown
    assert not re.findall(
        r'href="/console/messages/(\d+)', console.get("/console/messages?channel=sms").get_data(as_text=True)
    )


def test_a_shared_contact_is_listed_with_its_answer_and_the_chat_id_and_the_number_masked(telegram, login):  # noqa: F811
    assert telegram(contact={"phone_number": KNOWN, "user_id": CHAT}).status_code == 200
    console = login("qa")
    page = console.get("/console/messages?channel=telegram&status=contact").get_data(as_text=True)
    [found] = re.findall(r'href="/console/messages/(\d+)', page)
    detail = console.get(f"/console/messages/{found}").get_data(as_text=True)
    for shown in (page, detail):
        assert "tg:••••••••42" in shown and str(CHAT) not in shown
        assert "Номер" in shown and "сохранён" in shown and KNOWN not in shown
        assert re.search(r'mstatus-contact">(контакт|contact shared)<', shown)
