"""The soak's callers and senders (benchmarks/soak.py): keypad and streamed calls, SMS and e-mail.

Each channel runs until a deadline and keeps what it was told, so that the soak can hold it against
what the database stored: a call's readings the caller heard accepted (a read-back confirmed, then
"saved" or "goodbye"), an SMS answered «Принято», a letter answered «Принято».
"""

from __future__ import annotations

import itertools
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

from ivr.qa.cases import load_case
from ivr.qa.load import LoadStats, LoadTarget, MeteredTransport
from ivr.qa.replay import run_case
from ivr.qa.results import CaseResult
from ivr.qa.streamed import StreamedRemote

CALLS = Path(__file__).resolve().parents[1] / "tests" / "calls"
KEYPAD = ["ru-keypad-call-two-meters-five-zones", "ru-line-without-a-speech-model-runs-on-the-keypad"]
STREAMED = ["ko-voice-intent-and-yes-then-keypad-reading", "ko-no-at-the-address-asks-for-the-account",
            "ko-operator-by-voice-dials-the-operator"]  # fmt: skip
NOT_TAKEN = {"reading_again", "not_understood", "by_digit", "no_input", "sorry_error"}
STORED = "Принято"
TEXT_ACCOUNTS = 1_000  # SMS senders are accounts 300000..; letters name accounts 400000.. (then again)
REGIONS = "region,start_day,end_day\nМосква,1,31\n"  # always inside the window: each reading is plain


def text_accounts(path: Path) -> None:
    """One account a sender, so that each message is one plain reading of an account of its own."""
    rows = [f'{300000 + i},+7926{i:07d},"ул. Нагрузочная, д. {i}",Москва,S-{i},1,6,1000,,,2026-10-17'
            for i in range(TEXT_ACCOUNTS)]  # fmt: skip
    rows += [f'{400000 + i},+7936{i:07d},"ул. Почтовая, д. {i}",Москва,E-{i},1,6,1000,,,2026-10-17'
             for i in range(TEXT_ACCOUNTS)]  # fmt: skip
    path.write_text(
        "account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on\n" + "\n".join(rows) + "\n"
    )


def told_saved(result: CaseResult) -> int:
    """Readings the caller heard accepted: read-backs answered and moved on, counted at 'saved'."""
    told = pending = 0
    asked: set[str] = set()
    for turn in result.turns:
        heard = {pid for ids in turn.prompts for pid in ids.split("|")}
        if any(p.startswith("confirm") for p in asked) and heard and not heard & NOT_TAKEN:
            pending += 1
        if heard & {"meter_saved", "goodbye"}:
            told, pending = told + pending, 0
        asked = heard
    return told


class Streamed(StreamedRemote):
    """Streamed cases through the proxy, their webhooks timed like the keypad calls'."""

    def __init__(self, url: str, recordings, api, stats: LoadStats, token: str, account_sid: str) -> None:  # noqa: ANN001
        super().__init__(url, recordings, api)
        self.stats, self.token, self.account_sid = stats, token, account_sid

    def notes(self, case) -> list[str]:  # noqa: ANN001
        return []

    def transport(self) -> MeteredTransport:
        return MeteredTransport(self.stats, 0.0)


def calls(
    target: LoadTarget | Streamed, names: list[str], deadline: float, results: list, offset: int
) -> None:
    """One caller: call after call, rotating through the cases, until the deadline."""
    cases = [load_case(CALLS / f"{n}.yaml") for n in names]
    for n in itertools.count(offset):
        if time.monotonic() >= deadline:
            return
        case = cases[n % len(cases)]
        try:
            results.append((case, run_case(case, target)))
        except Exception as error:  # noqa: BLE001 - a call the emulator could not finish: counted, and on
            target.stats.webhook(0.0, f"{case.name}: {type(error).__name__}", False)


class Texts:
    """SMS at a fixed rate and letters into the mailbox, each one plain reading of its own account."""

    def __init__(self, base: str, token: str, account_sid: str, stats: LoadStats) -> None:
        self.url = f"{base}/twilio/sms?locale=ru"
        self.validator, self.account_sid, self.stats = RequestValidator(token), account_sid, stats
        self.sent = itertools.count()
        self.replies: dict[str, str] = {}  # MessageSid: the reply, or the error
        self.letters: list[str] = []  # Message-IDs put into the mailbox
        self.lock = threading.Lock()

    def sms(self, session: requests.Session) -> None:
        n = next(self.sent)
        i = n % TEXT_ACCOUNTS
        sid = f"SMsoak{n:028d}"
        form = {"MessageSid": sid, "AccountSid": self.account_sid, "From": f"+7926{i:07d}",
                "To": "+74950000000", "Body": f"{300000 + i} {1001 + n // TEXT_ACCOUNTS}", "NumMedia": "0"}  # fmt: skip
        headers = {
            "X-Twilio-Signature": self.validator.compute_signature(self.url, form),
            "Connection": "close",
        }
        started = time.perf_counter()
        try:
            response = session.post(self.url, data=form, headers=headers, timeout=20)
            error = None if response.status_code < 400 else f"HTTP {response.status_code}"
            reply = response.text
        except requests.RequestException as exc:
            error = reply = type(exc).__name__
        self.stats.webhook(time.perf_counter() - started, error, False)
        with self.lock:
            self.replies[sid] = reply

    def send_sms(self, rate: float, deadline: float, senders: int = 4) -> None:
        """`rate` messages a second from `senders` threads, open loop (Twilio does not wait either)."""

        def sender(k: int) -> None:
            session = requests.Session()
            start = time.monotonic() + k / rate
            for m in itertools.count():
                at = start + m * senders / rate
                if at >= deadline:
                    return
                time.sleep(max(0.0, at - time.monotonic()))
                self.sms(session)

        threads = [threading.Thread(target=sender, args=(k,), daemon=True) for k in range(senders)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def send_letters(self, mailbox, hotline: str, every_s: float, deadline: float) -> None:  # noqa: ANN001
        """A letter every `every_s` seconds, appended over IMAP as a mail server would deliver it."""
        for n in itertools.count():
            if time.monotonic() >= deadline:
                return
            i = n % TEXT_ACCOUNTS
            letter = EmailMessage()
            letter["From"], letter["To"], letter["Subject"] = f"tenant{i}@example.org", hotline, "Показания"
            letter["Message-ID"] = f"<soak-{n}@example.org>"
            letter.set_content(f"Добрый день!\n{400000 + i} {1001 + n // TEXT_ACCOUNTS}\n")
            with mailbox() as client:
                client.append("INBOX", None, None, letter.as_bytes())
            self.letters.append(letter["Message-ID"])
            time.sleep(every_s)

    def sms_confirmed(self) -> int:
        return sum(STORED in reply for reply in self.replies.values())
