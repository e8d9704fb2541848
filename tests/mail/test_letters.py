"""Letters as people and machines write them: charsets, HTML, quotes, signatures; no mail loops."""

from __future__ import annotations

import logging
from email.header import Header
from email.utils import formataddr

import pytest

from ivr.logs import scrub
from tests.mail.conftest import CUSTOMER, HOTLINE, letter
from tests.mail.test_poll import poll, stored


@pytest.mark.parametrize(
    "header, value",
    [("Auto-Submitted", "auto-replied"), ("Auto-Submitted", "auto-generated; type=vacation"),
     ("Precedence", "bulk"), ("Precedence", "list"), ("Precedence", "junk"), ("Return-Path", "<>"),
     ("List-Id", "<meters.lists.example.org>"), ("List-Unsubscribe", "<mailto:leave@example.org>"),
     ("X-Autoreply", "yes"), ("From", "MAILER-DAEMON@mx.example.org"), ("From", "postmaster@example.org"),
     ("From", HOTLINE)],
)  # fmt: skip
def test_machines_are_never_answered_but_recorded_and_marked(
    app, poller, mailbox, smtp, caplog, header, value
):
    sent = letter("100001 1100")
    if header == "Return-Path":  # a delivering server writes it above the other headers
        sent = b"Return-Path: <>\r\n" + sent.as_bytes()
    else:
        del sent[header]
        sent[header] = value
    mailbox.deliver(sent)
    with caplog.at_level(logging.INFO):
        assert poll(app, poller).ignored == 1
    readings, [message] = stored(app)
    assert readings == [] and message.status == "ignored" and message.reply == ""
    assert smtp.letters == [] and mailbox.unseen() == 0
    assert CUSTOMER not in caplog.text and "ivan.petrov" not in caplog.text


def test_auto_submitted_no_is_a_person(app, poller, mailbox, smtp):
    mailbox.deliver(letter("100001 1100", Auto_Submitted="no", Return_Path="<ivan.petrov@example.org>"))
    assert poll(app, poller).answered == 1


def test_a_delivery_report_is_a_bounce(app, poller, mailbox, smtp):
    report = (f"From: mail system <daemon@mx.example.org>\r\nTo: {HOTLINE}\r\nSubject: Undelivered\r\n"
              "Message-ID: <b1@mx.example.org>\r\nContent-Type: multipart/report; report-type=delivery-status; "
              'boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n100001 1100\r\n--b--\r\n')  # fmt: skip
    mailbox.deliver(report.encode())
    assert poll(app, poller).ignored == 1 and smtp.letters == []


@pytest.mark.parametrize("charset", ["utf-8", "cp1251", "koi8-r"])
def test_headers_and_bodies_in_russian_charsets(app, poller, mailbox, smtp, charset):
    headers = (f"From: {formataddr(('Иван Петров', CUSTOMER), charset)}\r\nTo: {HOTLINE}\r\n"
               f"Subject: {Header('Показания за ноябрь', charset).encode()}\r\n"
               f"Message-ID: <{charset}@example.org>\r\nMIME-Version: 1.0\r\n"
               f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")  # fmt: skip
    mailbox.deliver(headers.encode() + "Здравствуйте!\r\nпоказания 100001 1100\r\n".encode(charset))
    assert poll(app, poller).answered == 1
    [reading], [message] = stored(app)
    assert (
        reading.value == 1100 and message.body == "показания 100001 1100" and message.sender_key == CUSTOMER
    )
    assert smtp.letters[0]["Subject"] == "Re: Показания за ноябрь"


def test_an_html_letter_is_read_without_tags_quotes_and_signature(app, poller, mailbox, smtp):
    sent = letter("")
    sent.set_content("<html><head><style>p{color:red}</style></head><body><p>Добрый день,</p>"
                     "<div>100001&nbsp;1100</div><blockquote>100001 99999</blockquote></body></html>",
                     subtype="html")  # fmt: skip
    mailbox.deliver(sent)
    assert poll(app, poller).answered == 1
    [reading], [message] = stored(app)
    assert reading.value == 1100 and message.body == "100001 1100"


def test_quoted_replies_and_signatures_are_not_read(app, poller, mailbox, smtp):
    mailbox.deliver(letter("100001 1100\n\n-- \nИван, тел. 100002 2200\n", subject="показания"))
    mailbox.deliver(letter("ДА\n\n> 100001 5000\n", subject="Re: 100001 99000", sender="anna@example.org"))
    poll(app, poller)
    readings, messages = stored(app)
    assert [r.value for r in readings] == [1100]
    assert [m.body for m in messages] == ["100001 1100", "ДА"] and messages[1].status == "refused"


def test_the_subject_holds_the_template_when_the_body_does_not(app, poller, mailbox, smtp):
    mailbox.deliver(letter("Спасибо!", subject="100001 1100"))
    assert poll(app, poller).answered == 1
    assert [r.value for r in stored(app)[0]] == [1100]


def test_a_letter_without_a_template_gets_the_template(app, poller, mailbox, smtp):
    mailbox.deliver(letter("Когда придёт счёт?", subject="Вопрос"))
    assert poll(app, poller).answered == 1
    [message] = stored(app)[1]
    assert message.status == "help" and "пробел" in smtp.letters[0].get_content()


def test_log_lines_mask_e_mail_addresses():
    line = scrub(f"reply to {CUSTOMER} and 79161234567@mail.ru refused; ivan%40example.org")
    assert CUSTOMER not in line and "79161234567" not in line and "ivan%40" not in line
    assert "i***@example.org" in line and "7***@mail.ru" in line
