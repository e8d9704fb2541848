"""Where cases are replayed: a fresh app in this process per case, or a running server."""

from __future__ import annotations

import io
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ivr import create_app
from ivr.config import from_environ
from ivr.qa.bot_api import BotApi
from ivr.qa.cases import Case
from ivr.qa.driver import FlaskTransport, HttpTransport, TwilioCall
from ivr.qa.facts import Facts, call_facts
from ivr.qa.hearing import QaRecognizer, engine
from ivr.qa.recordings import LocalRecordings
from ivr.qa.telegram import TelegramChat, flask_post, http_post
from ivr.qa.texts import TextFacts, text_facts
from ivr.runtime import runtime
from ivr.store import database
from ivr.store.accounts_csv import import_accounts
from ivr.store.migrate import upgrade

ACCOUNT_SID = "AC" + "0" * 32
PUBLIC_URL = "https://replay.hotline.test"
STREAM_ONLY = "the case is about the media stream (listen: stream): replay it with --listen stream"
BOT_TOKEN = "100000001:replay-bot-token"  # the bot in-process replays run, against a Bot API stand-in
REMOTE_REPLY_WAIT_S = 10.0  # for the server's outbox to send a reply to the stand-in


def voice_path(locale: str) -> str:
    """The Voice URL of a line in a locale, as Twilio is given it."""
    return f"/twilio/voice?locale={locale}"


@dataclass
class InProcessLine:
    app: object
    call: TwilioCall
    bot: BotApi | None = None  # Telegram's Bot API, where the app's outbox sends a Telegram case's replies
    secret: str = ""  # the Telegram webhook's

    def chat(self, case: Case) -> TelegramChat:
        """The case's Telegram chat: each reply sent by the app's outbox as soon as its update is taken."""
        return TelegramChat(
            flask_post(self.app), PUBLIC_URL, self.secret, self.bot, case.locale, self.deliver, 0.0
        )

    def deliver(self) -> None:
        runtime(self.app).outbox.deliver_due()

    def facts(self) -> Facts | None:
        with self.app.app_context():
            with database.transaction(runtime(self.app).sessions) as s:
                return call_facts(s, self.call.sid)

    def text_facts(self) -> TextFacts | None:
        with self.app.app_context():
            with database.transaction(runtime(self.app).sessions) as s:
                return text_facts(s)


class InProcess:
    """Replay each case on a fresh app and SQLite database in this process, signed like Twilio."""

    mode = "in-process"

    def __init__(self, recordings: LocalRecordings) -> None:
        self.recordings = recordings
        self.token = secrets.token_hex(16)
        self._folder = tempfile.TemporaryDirectory(prefix="ivr-replay-")
        self._template: Path | None = None
        self._lock = threading.Lock()
        self._bot: BotApi | None = None

    @property
    def bot(self) -> BotApi:
        """Telegram's Bot API for the cases' apps to send to, started when a Telegram case needs it."""
        with self._lock:
            self._bot = self._bot or BotApi(BOT_TOKEN)
            return self._bot

    def skip_reason(self, case: Case) -> str | None:
        return None if "record" in case.listen else STREAM_ONLY

    def notes(self, case: Case) -> list[str]:
        return []

    @contextmanager
    def line(self, case: Case) -> Iterator[InProcessLine]:
        if case.says_wav():
            engine(case.locale)  # load the model before the call, not inside a turn's latency
        with self.app(case) as app:
            call = TwilioCall(FlaskTransport(app), PUBLIC_URL, caller=case.caller,
                              token=self.token, account_sid=ACCOUNT_SID,
                              recordings=self.recordings, voice_path=voice_path(case.locale))  # fmt: skip
            yield InProcessLine(app, call, self.bot if case.telegram else None, self.token)

    @contextmanager
    def app(self, case: Case, public_url: str = PUBLIC_URL) -> Iterator[object]:
        """A fresh app for one case: its own migrated database with the case's accounts and clock."""
        with tempfile.TemporaryDirectory(dir=self._folder.name) as folder:
            db = Path(folder) / "ivr.sqlite3"
            shutil.copyfile(self._migrated(), db)
            app = create_app({**self._config(case, folder, db), "IVR_PUBLIC_URL": public_url})
            try:
                if case.accounts:
                    with app.app_context(), database.transaction(runtime(app).sessions) as s:
                        import_accounts(s, io.StringIO(case.accounts))
                yield app
            finally:
                runtime(app).sessions.kw["bind"].dispose()

    def close(self) -> None:
        if self._bot is not None:
            self._bot.close()
        self._folder.cleanup()

    def _config(self, case: Case, folder: str, db: Path) -> dict:
        config = {
            "IVR_DATABASE_URL": f"sqlite:///{db}",
            "TWILIO_AUTH_TOKEN": self.token,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "IVR_PUBLIC_URL": PUBLIC_URL,
            "IVR_LOCALE": case.locale,
            "IVR_RECORDINGS_DIR": str(Path(folder) / "recordings"),
            "IVR_RECORDING_URL_PREFIXES": [self.recordings.prefix],
            "IVR_OPERATOR_NUMBER": case.operator,
            "RECOGNIZERS": {case.locale: QaRecognizer(case.locale)} if case.voice else {},
            "SECRET_KEY": self.token,
        }
        if case.telegram:
            config |= {"IVR_TELEGRAM_BOT_TOKEN": BOT_TOKEN, "IVR_TELEGRAM_SECRET": self.token,
                       "IVR_TELEGRAM_API_URL": self.bot.url}  # fmt: skip
        if case.now is not None:
            config["IVR_CLOCK"] = lambda: case.now
        return config

    def _migrated(self) -> Path:
        """Migrate one empty database per run and copy it for each case: Alembic is not thread-safe."""
        with self._lock:
            if self._template is None:
                path = Path(self._folder.name) / "template.sqlite3"
                app = create_app({"IVR_DATABASE_URL": f"sqlite:///{path}", "RECOGNIZERS": {},
                                  "SECRET_KEY": self.token})  # fmt: skip
                with app.app_context():
                    upgrade(runtime(app).sessions)
                runtime(app).sessions.kw["bind"].dispose()
                self._template = path
            return self._template


@dataclass
class RemoteLine:
    call: TwilioCall
    bot: BotApi | None = None
    secret: str = ""

    def chat(self, case: Case) -> TelegramChat:
        """The case's Telegram chat: the server's own outbox sends each reply to our stand-in."""
        return TelegramChat(http_post, self.call.base_url, self.secret, self.bot, case.locale, lambda: None,
                            REMOTE_REPLY_WAIT_S)  # fmt: skip

    def facts(self) -> Facts | None:
        return None  # the server's database is out of reach

    def text_facts(self) -> TextFacts | None:
        return None


class Remote:
    """Replay cases against a running server with signed requests; it fetches audio from us."""

    def __init__(self, url: str, recordings: LocalRecordings, token: str | None = None,
                 account_sid: str | None = None, bot: BotApi | None = None,
                 telegram_secret: str | None = None) -> None:  # fmt: skip
        """`bot` is the Bot API stand-in the server's IVR_TELEGRAM_API_URL points at, for Telegram cases."""
        self.mode = url.rstrip("/")
        self.recordings = recordings
        settings = from_environ()
        self.token = token if token is not None else settings.auth_token
        self.account_sid = account_sid or settings.account_sid or ACCOUNT_SID
        self.bot, self.telegram_secret = bot, telegram_secret or settings.telegram.secret or ""

    def skip_reason(self, case: Case) -> str | None:
        if "record" not in case.listen:
            return STREAM_ONLY
        if case.telegram and self.bot is None:
            return ("a Telegram case needs a Bot API stand-in that the server's IVR_TELEGRAM_API_URL "
                    "points at, to read the bot's replies")  # fmt: skip
        if case.uses("say_text"):
            return ("say_text needs the in-process transcript recogniser; a server at a URL "
                    "hears only real audio (replay this case without --url)")  # fmt: skip
        return None

    def notes(self, case: Case) -> list[str]:
        notes = ["recognised text, values and readings are not checked over a URL: "
                 "only the server's database knows them"]  # fmt: skip
        if case.now is not None:
            notes.append(f"now: {case.now:%Y-%m-%d %H:%M} is not applied: the server's clock decides windows")
        return notes

    def transport(self) -> HttpTransport:
        return HttpTransport()

    @contextmanager
    def line(self, case: Case) -> Iterator[RemoteLine]:
        call = TwilioCall(self.transport(), self.mode, caller=case.caller, token=self.token,
                          account_sid=self.account_sid, recordings=self.recordings,
                          voice_path=voice_path(case.locale))  # fmt: skip
        yield RemoteLine(call, self.bot, self.telegram_secret)
