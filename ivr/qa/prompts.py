"""Tell which prompts a caller heard, from the TwiML alone."""

from __future__ import annotations

import re
import string
from difflib import SequenceMatcher
from functools import cache

from ivr.locales import load

# A recorded prompt is played from /twilio/prompts/<locale>/<prompt id>.wav.
PLAYED = re.compile(r"/prompts/[\w-]+/(?P<id>[\w-]+)\.wav$")


class PromptMatcher:
    """Recognise a locale's prompts in spoken text, their parameters read as wildcards."""

    def __init__(self, locale: str) -> None:
        pack = load(locale)
        self.patterns = [(pid, _pattern(text)) for pid, text in pack.prompts.items()]

    def ids(self, said: str) -> list[str]:
        """Name every prompt one <Say> or <Play> could be; several when texts coincide."""
        played = PLAYED.search(said.strip())
        if played:
            return [played["id"]]
        return [pid for pid, pattern in self.patterns if pattern.fullmatch(said.strip())]

    def heard(self, says: list[str]) -> list[str]:
        """Name what each <Say> or <Play> was: 'a|b' when ambiguous, '?' when unknown."""
        return ["|".join(self.ids(said)) or "?" for said in says]


@cache
def matcher(locale: str) -> PromptMatcher:
    return PromptMatcher(locale)


def _pattern(template: str) -> re.Pattern:
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".*?")
    return re.compile("".join(parts), re.S)


def similarity(expected: str, heard: str) -> float:
    """Compare two texts from 0 to 1, ignoring case and spacing."""

    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    return SequenceMatcher(None, norm(expected), norm(heard)).ratio()
