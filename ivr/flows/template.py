"""The text template printed on the bill, «лицевой счёт пробел показания», read in one place.

`100001 12345 6789`, `показания 100001, Т1 12345; Т2 6789`, `T1=12345`, `readings 100001 12345,6`:
the account, then the readings; a keyword alone (HELP, STOP, START, «ДА»). Pure: what the numbers
mean (which is the account, which zone) is the text flow's business, with the account in hand.
The words, keywords, zone letters and units are each language's, handed in from its locale pack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

# A comma separates, except the decimal comma of a habit like 12345,6 (one or two digits, no space).
SEPARATOR = r"[\s;]+|(?<!\d),|,(?!\d{1,2}(?![\d.,]?\d))"
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
# Control characters (NUL among them) and lone surrogates: nobody types them, no template has them.
UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
PUNCTUATION = ".:!?«»\"'()-—#№"
LATIN = re.compile("[a-z]")


@dataclass(frozen=True)
class Language:
    """One locale's template words, as its pack writes them (ivr/locales/<code>/texts.yaml)."""

    code: str
    letters: str  # a character class of the script it is written in: tells the language of any text
    words: frozenset[str]  # what a customer may put before the numbers
    keywords: dict[TextKind, frozenset[str]]  # the words that are a keyword alone
    zone: frozenset[str] = frozenset()  # the letter of a zone label: Т of Т1
    units: tuple[str, ...] = ()  # units that may be written on to the number: 12500кВт·ч
    alike: dict[str, str] = field(default_factory=dict)  # letters read as another: ё as е


class Lexicon:
    """Every installed language's template words, and the patterns made of them."""

    def __init__(self, languages: Iterable[Language]) -> None:
        # Latin letters turn up in any language's texts (kWh, a brand), so a Latin-written language is
        # the last one a text's script may tell.
        self.languages = sorted(languages, key=lambda lang: (bool(LATIN.search(lang.letters)), lang.code))
        self.scripts = {
            lang.code: re.compile(f"[{lang.letters}]" if lang.letters else "(?!)") for lang in self.languages
        }
        self.alike = str.maketrans({a: b for lang in self.languages for a, b in lang.alike.items()})
        letters = "".join(sorted({re.escape(z) for lang in self.languages for z in lang.zone}))
        # A zone label before a number: Т1 (Cyrillic or Latin T), "T1=", "т2:". Its digit is the one group.
        zone = rf"(?<!\w)[{letters}]\s*([1-3])\s*[=:\-]?\s*(?=\d)" if letters else r"(?!)()"
        self.tokens = re.compile(f"{zone}|{SEPARATOR}")
        units = sorted({re.escape(u) for lang in self.languages for u in lang.units}, key=len, reverse=True)
        self.unit = re.compile(rf"(?<=\d)(?=(?:{'|'.join(units)}))") if units else None

    def keyword(self, bare: str, text: str) -> tuple[TextKind, str | None] | None:
        """The keyword a text is alone, and its language: one listing it whose letters it is written in
        ("1" and "?" are no language's)."""
        found = [(kind, lang.code) for lang in self.languages for kind, words in lang.keywords.items()
                 if bare in words or text in words]  # fmt: skip
        if not found:
            return None
        kind = found[0][0]
        return kind, next((c for k, c in found if k == kind and self.scripts[c].search(bare)), None)

    def words_locale(self, words: list[str]) -> str | None:
        """The locale all the words belong to; None when there are none, or some are no template word."""
        for lang in self.languages:
            if words and all(w in lang.words for w in words):
                return lang.code
        return None

    def script(self, text: str) -> str | None:
        """The first language whose letters the text has."""
        return next((code for code, letters in self.scripts.items() if letters.search(text)), None)


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


def parse(body: str, lexicon: Lexicon) -> Text:
    """Read one text message in the installed languages: a keyword, the template, or nothing usable.
    Never raises: whatever a sender writes is one of these."""
    text = body.strip().lower().translate(lexicon.alike)
    bare = text.strip(PUNCTUATION + " ")
    if keyword := lexicon.keyword(bare, text):
        return Text(*keyword)
    text = GROUPED_DECIMAL.sub(_joined, text)
    if lexicon.unit:
        text = lexicon.unit.sub(" ", text)
    numbers, words, readable = _read(text, lexicon)
    locale = lexicon.words_locale(words)
    if not (numbers and readable) or UNREADABLE.search(text) or (words and locale is None):
        return Text(TextKind.UNKNOWN, locale or lexicon.script(" ".join(words)))
    grouped = {tuple(_read(p.sub(_joined, text), lexicon)[0]): None for p in (GROUPED_SHORT, GROUPED)}
    return Text(TextKind.READINGS, locale, tuple(numbers), tuple(g for g in grouped if g != tuple(numbers)))


def _read(text: str, lexicon: Lexicon) -> tuple[list[Number], list[str], bool]:
    """The numbers and the words; False when a number is signed."""
    numbers: list[Number] = []
    words: list[str] = []
    zone, readable = None, True
    # re.split gives the pieces between labels and separators, each followed by a label's digit (or None).
    parts = lexicon.tokens.split(text)
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
