"""The e-mail channel's settings: TLS schemes only, credentials never in a URL or a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr import config
from ivr.settings import ConfigError


def mail(**env: str):  # noqa: ANN201
    return config.load(env, Path("instance")).mail


def test_urls_give_the_server_the_port_and_the_folder():
    settings = mail(IVR_IMAP_URL="imaps://mail.example/Показания", IVR_IMAP_USER="meters", IVR_IMAP_PASSWORD="s3cret",
                    IVR_SMTP_URL="smtp://mail.example")  # fmt: skip
    assert (settings.imap.port, settings.imap.path, settings.imap.implicit_tls) == (993, "Показания", True)
    assert (settings.smtp.port, settings.smtp.implicit_tls) == (587, False)
    assert "s3cret" not in repr(settings)
    assert mail(IVR_IMAP_URL="imap://mail.example:1143").imap.path == "INBOX"


@pytest.mark.parametrize(
    "env, message",
    [({"IVR_IMAP_URL": "imaps://meters:s3cret@mail.example:99x/INBOX"}, "IVR_IMAP_USER"),
     ({"IVR_SMTP_URL": "smtps://meters:s3cret@mail.example"}, "IVR_SMTP_USER"),
     ({"IVR_IMAP_URL": "pop3://mail.example"}, "is not an imaps:// or imap:// URL"),
     ({"IVR_SMTP_URL": "http://mail.example"}, "is not an smtps:// or smtp:// URL"),
     ({"IVR_MAIL_CA_FILE": "/no/such/ca.pem"}, "no such file"),
     ({"IVR_MAIL_TIMEOUT_S": "0"}, "IVR_MAIL_TIMEOUT_S")],
)  # fmt: skip
def test_bad_settings_are_refused_without_repeating_a_password(env, message):
    with pytest.raises(ConfigError) as error:
        mail(**env)
    assert message in str(error.value) and "s3cret" not in str(error.value)


def test_polling_needs_the_mailbox_the_server_and_a_from_address():
    with pytest.raises(ConfigError, match="IVR_IMAP_URL and IVR_SMTP_URL and IVR_MAIL_FROM"):
        mail().ready()
    mail(IVR_SMTP_URL="smtps://mail.example", IVR_MAIL_FROM="meters@example.org").ready(reading=False)
