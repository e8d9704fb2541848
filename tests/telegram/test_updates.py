"""Telegram updates are read into what the hotline takes, and nothing a sender can send raises."""

from __future__ import annotations

import json

import pytest

from ivr.telegram.updates import MAX_TEXT, Kind, parse


def message(**fields) -> dict:  # noqa: ANN003
    base = {"message_id": 7, "date": 1790000000, "chat": {"id": 4242424242, "type": "private"},
            "from": {"id": 4242424242, "is_bot": False, "first_name": "Анна", "language_code": "ru"}}  # fmt: skip
    return {"update_id": 900001, "message": {**base, **fields}}


def test_a_text_message_gives_its_update_id_chat_sender_text_and_language():
    update = parse(message(text="100001 12345"))
    assert (update.update_id, update.kind, update.chat_id, update.from_id, update.text, update.language) == (
        900001, Kind.TEXT, "4242424242", "4242424242", "100001 12345", "ru")  # fmt: skip


def test_start_and_help_commands_are_commands_even_with_the_bots_name_and_a_payload():
    for text in ("/start", "/help@meter_bot", "/start 100001"):
        assert parse(message(text=text)).kind == Kind.COMMAND, text
    assert parse(message(text="100001 /2")).kind == Kind.TEXT


def test_the_senders_own_contact_is_told_from_someone_elses():
    own = parse(message(contact={"phone_number": "+79161234567", "user_id": 4242424242}))
    other = parse(message(contact={"phone_number": "+79160000000", "user_id": 1111}))
    no_user = parse(message(contact={"phone_number": "+79160000000", "first_name": "Мама"}))
    assert own.kind == other.kind == no_user.kind == Kind.CONTACT
    assert own.own_contact and own.contact_phone == "+79161234567"
    assert not other.own_contact and not no_user.own_contact


@pytest.mark.parametrize("part", [{"photo": [{"file_id": "x"}], "caption": "100001 1"},
                                  {"document": {"file_id": "x"}}, {"sticker": {"file_id": "x"}},
                                  {"location": {"latitude": 55.7, "longitude": 37.6}}])  # fmt: skip
def test_pictures_files_stickers_and_places_are_media_with_the_caption_as_text(part):
    update = parse(message(**part))
    assert update.kind == Kind.MEDIA
    assert update.text == part.get("caption", "")


@pytest.mark.parametrize("update", [
    {"update_id": 5, "edited_message": message(text="100001 1")["message"]},
    {"update_id": 5, "callback_query": {"id": "1"}},
    {"update_id": 5, "my_chat_member": {}},
    {"update_id": 5, **{"message": {**message(text="100001 1")["message"], "chat": {"id": -100, "type": "group"}}}},
    {"update_id": 5, **{"message": {**message(text="1")["message"], "from": {"id": 1, "is_bot": True}}}},
    {"update_id": 5, "message": {"text": "100001 1"}},
])  # fmt: skip
def test_edits_groups_bots_callbacks_and_messages_without_a_chat_are_ignored(update):
    assert parse(update).kind == Kind.IGNORED


@pytest.mark.parametrize("data", [None, [], "x", {}, {"update_id": "5"}, {"update_id": True},
                                  {"update_id": -1}, {"update_id": 1.5}])  # fmt: skip
def test_what_is_no_update_gives_none(data):
    assert parse(data) is None


def test_odd_field_types_and_a_huge_text_never_raise():
    odd = [message(text=["list"]), message(chat="x"), message(**{"from": 5}), message(contact="x"),
           message(contact={"phone_number": 79161234567, "user_id": "4242424242"}),
           message(text="1" * 100_000), message(chat={"id": True, "type": "private"})]  # fmt: skip
    for data in odd:
        parse(json.loads(json.dumps(data)))
    assert len(parse(message(text="1" * 100_000)).text) == MAX_TEXT
    assert parse(message(contact={"phone_number": 7916, "user_id": "4242424242"})).own_contact is False
