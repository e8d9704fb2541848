"""The text template printed on the bill, «лицевой счёт пробел показания», read in one place.

`100001 12345 6789`, `показания 100001, Т1 12345; Т2 6789`, `T1=12345`, `readings 100001 12345,6`:
the account, then the readings; a keyword alone (HELP, STOP, START, «ДА»). Pure: what the numbers
mean (which is the account, which zone) is the text flow's business, with the account in hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# A zone label before a number: Т1 (Cyrillic or Latin T), "T1=", "т2:". Its digit is the one group.
ZONE = r"(?<!\w)[тt]\s*([1-3])\s*[=:\-]?\s*(?=\d)"
# A comma separates, except the decimal comma of a habit like 12345,6 (one or two digits, no space).
SEPARATOR = r"[\s;]+|(?<!\d),|,(?!\d{1,2}(?![\d.,]?\d))"
TOKENS = re.compile(f"{ZONE}|{SEPARATOR}")
# Decimals written by habit: 12345.6, or 12345,6.
DECIMAL = re.compile(r"(\d+)(?:\.\d+|,\d{1,2})")
SIGNED = re.compile(r"[-−]\d")  # -1200: no meter counts backwards
# Thousands grouped by a space (a no-break or narrow no-break one too), as Russian writes them: 12 500.
GROUPED = re.compile(r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)")
# The cautious reading of the same: a one- or two-digit lead and one group, 6 000 4 000 150 250 350.
GROUPED_SHORT = re.compile(r"(?<![\w.,])\d{1,2}[ \u00a0\u202f]\d{3}(?!\d)")
# ... taken as thousands at once before a decimal comma, 12 500,7; otherwise only when the numbers as
# written are more than the account's zones (texts.take).
GROUPED_DECIMAL = re.compile(GROUPED.pattern + r"(?=,\d{1,2}(?![\d.,]?\d))")
UNIT = re.compile(r"(?<=\d)(?=квт)")  # 12500кВт·ч: the unit written on to the number
# Control characters (NUL among them) and lone surrogates: nobody types them, no template has them.
UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
PUNCTUATION = ".:!?«»\"'()-—#№"

# Words a customer may put before the numbers; each locale's, so they also tell its language.
WORDS = {
    "ru": {"показания", "показание", "показ", "счет", "счета", "лс", "л/с", "лицевой", "номер",
           "счетчик", "передаю", "квартира", "электроэнергия",
           "квт", "квт·ч", "квт*ч", "квт.ч", "квтч", "квт/ч"},  # ё is read as е
    "en": {"readings", "reading", "account", "acc", "meter", "number", "no", "my", "kwh"},
    "ko": {"검침", "계정", "계좌", "번호", "계량기"},
}  # fmt: skip
KEYWORDS = {
    "help": {"help", "info", "?", "помощь", "справка", "инфо", "도움말"},
    "stop": {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "стоп", "отписаться", "중지"},
    "start": {"start", "unstop", "subscribe", "старт", "подписаться", "시작"},
    "confirm": {"yes", "y", "1", "да", "д", "네", "예"},
}
KEYWORD_LOCALE = {"ru": re.compile("[а-яё]"), "ko": re.compile("[가-힣]"), "en": re.compile("[a-z]")}


class TextKind(StrEnum):
    READINGS = "readings"
    CONFIRM = "confirm"  # «ДА», "1", "YES": store the readings waiting for it
    HELP = "help"
    STOP = "stop"
    START = "start"
    UNKNOWN = "unknown"  # no template: answered with the template


@dataclass(frozen=True)
class Number:
    digits: str
    zone: int | None = None  # 1..3 when labelled Т1..Т3
    decimals: bool = False  # written with decimals, which were dropped


@dataclass(frozen=True)
class Text:
    kind: TextKind
    locale: str | None = None  # the language its words are in; None when it has none
    numbers: tuple[Number, ...] = ()
    # Other readings, with space-grouped thousands joined (12 500 -> 12500), the cautious one first.
    grouped: tuple[tuple[Number, ...], ...] = ()

    @property
    def decimals(self) -> bool:
        return any(n.decimals for n in self.numbers)


def parse(body: str) -> Text:
    """Read one text message: a keyword, the template, or nothing usable. Never raises: whatever a
    sender writes is one of these."""
    text = body.strip().lower().replace("ё", "е")
    bare = text.strip(PUNCTUATION + " ")
    for kind, words in KEYWORDS.items():
        if bare in words or text in words:
            return Text(TextKind(kind), _keyword_locale(bare))
    text = UNIT.sub(" ", GROUPED_DECIMAL.sub(_joined, text))
    numbers, words, readable = _read(text)
    locale = _words_locale(words)
    if not (numbers and readable) or UNREADABLE.search(text) or (words and locale is None):
        return Text(TextKind.UNKNOWN, locale or _keyword_locale(" ".join(words)))
    grouped = {tuple(_read(pattern.sub(_joined, text))[0]): None for pattern in (GROUPED_SHORT, GROUPED)}
    return Text(TextKind.READINGS, locale, tuple(numbers), tuple(g for g in grouped if g != tuple(numbers)))


def _read(text: str) -> tuple[list[Number], list[str], bool]:
    """The numbers and the words; False when a number is signed."""
    numbers: list[Number] = []
    words: list[str] = []
    zone, readable = None, True
    # re.split gives the pieces between labels and separators, each followed by a label's digit (or None).
    parts = TOKENS.split(text)
    for raw, label in zip(parts[::2], [*parts[1::2], None], strict=True):
        token = raw.strip(PUNCTUATION)
        decimal = DECIMAL.fullmatch(token)
        if SIGNED.match(raw):
            readable = False
        elif token.isascii() and (token.isdigit() or decimal):
            numbers.append(Number(decimal.group(1) if decimal else token, zone, decimal is not None))
            zone = None
        elif token:
            words.append(token)
        if label:
            zone = int(label)
    return numbers, words, readable


def _joined(match: re.Match) -> str:
    return "".join(c for c in match.group() if c.isdigit())


def _words_locale(words: list[str]) -> str | None:
    """The locale all the words belong to; None when there are none, or some are no template word."""
    for locale, known in WORDS.items():
        if words and all(w in known for w in words):
            return locale
    return None


def _keyword_locale(text: str) -> str | None:
    return next((locale for locale, letters in KEYWORD_LOCALE.items() if letters.search(text)), None)
