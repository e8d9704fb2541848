"""Question kinds: what a question's answer is, one row each.

A row is everything the layers need to know of a kind: the engine its keys, the speech layer its
grammar and how long to listen, the telephony layer how long to record. They read the row and never
branch on a kind's name, so a new kind is a new row (and any new vocabulary sections in every
locale pack).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    """What a question's answer is: how it is typed, heard and listened for.

    An answer means a word: a vocabulary section's name when spoken ("yes"), a key's meaning when
    pressed ("1" -> "yes"); a number means its digits. «Оператор» and key 0 work at every kind.
    """

    name: str  # stored on each turn, and what the speech layer is asked to hear
    # Vocabulary sections (ivr/locales/*/vocabulary.yaml) its answers are heard in; the grammar is
    # built from them (and the operator's words).
    sections: tuple[str, ...]
    # Seconds: the longest answer. <Record>'s maxLength, and where the stream cuts an answer off.
    longest_s: int
    # Seconds of quiet after which the stream takes an answer that is not complete yet (a number
    # shorter than the question's, a phrase that did not mean anything yet).
    pause_s: float
    keys: Mapping[str, str] = field(default_factory=dict, hash=False)  # a key -> what it means
    # The answer is a number: typed up to the finish key, spoken as a sentence of number words
    # (ivr/speech/sentence.py), complete when it has the question's length.
    number: bool = False
    finish_key: str = ""  # ends a typed number; without one a single key is the answer
    # A key with a meaning, pressed at a voice question, answers it at once (the call goes on on
    # the keypad). At other kinds any key moves the call to the keypad and asks again, naming the keys.
    at_once: bool = False

    def meaning(self, keys: str) -> str | None:
        """What keys typed at the question mean; None when nothing."""
        if self.number:
            return keys if keys.isascii() and keys.isdigit() else None
        return self.keys.get(keys[:1])


# The greeting: «показания», or key 1, the hotline's usual key for "go on", taken at once.
INTENT = Kind(
    "intent", sections=("readings",), keys={"1": "readings"}, at_once=True, longest_s=5, pause_s=1.0
)
# A number: an account, a reading. Callers reading a meter digit by digit look up at the display
# between digits and groups, which takes up to about a second; 1.5 s waits that out and still
# halves the <Record> path's 3 s of silence.
DIGITS = Kind(
    "digits",
    sections=("digits", "numbers", "repeaters"),
    number=True,
    finish_key="#",
    longest_s=15,
    pause_s=1.5,
)
# Yes or no. An unfinished phrase ("я хочу ... передать показания") waits 1 s for its end, as at
# the greeting.
YESNO = Kind("yesno", sections=("yes", "no"), keys={"1": "yes", "2": "no"}, longest_s=4, pause_s=1.0)

# Every kind by its name: turns store the name, and the speech layer is asked by it.
KINDS: dict[str, Kind] = {kind.name: kind for kind in (DIGITS, YESNO, INTENT)}


def kind_named(name: str) -> Kind:
    """The kind of that name; ValueError for a name no row has."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown question kind {name!r}; have {', '.join(KINDS)}") from None
