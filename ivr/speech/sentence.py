"""A caller's sentence at a digits question: the number in it, and what the words around it say.

Callers wrap a number in words: «у меня двенадцать триста сорок пять киловатт, всё». The locale
pack lists those words (vocabulary.yaml: context, units, end, corrections, decimal, fractions,
zones). This module cuts a sentence into the number's words, which numbers.py reads, and says what
the rest means: a fraction dropped, a correction, zones named. Each kind of word counts only where
callers say it: context before the number, units after it, a correction between two versions of
it. Anything else that is no number word or filler still makes the answer a no-match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice

from ivr.flows.rules import pick_reading
from ivr.locales import load
from ivr.speech.numbers import MAX_READINGS, Parsed, is_number_word, readings
from ivr.speech.words import phrases_in, words

SECTIONS = ("context", "units", "end", "corrections", "decimal", "fractions", "decimal_and", "zones")
# Matched with the sentence's words, the longest phrase first («сейчас скажу» before «сейчас»,
# "hang on" before "on"), then handed to numbers.py as the words they are.
NUMBER_NOISE = "fillers"
# A correction shorter than what it corrects replaces its tail; this many versions of each are weighed.
TAILS = 16

Token = tuple[str, object]  # (section, value), or ("word", the word) for numbers.py to read


@dataclass(frozen=True)
class Said:
    """What a sentence says at a digits question.

    readings: every digit string the number may mean, the likeliest first; empty for no number
        (or a word that makes the answer a no-match).
    decimals: the caller read a fraction off the display, which was dropped.
    zones: the zones the caller named, each with its readings, in the order said; empty when the
        caller named none. A zone is a number (Т1 = 1) or a rate's name ("day", "night", ...).
    """

    readings: tuple[str, ...] = ()
    decimals: bool = False
    zones: tuple[tuple[object, tuple[str, ...]], ...] = ()

    @property
    def value(self) -> str | None:
        """The likeliest number: the first zone's when zones were named."""
        found = self.zones[0][1] if self.zones else self.readings
        return found[0] if found else None


@cache
def _table(locale: str) -> dict[tuple[str, ...], Token]:
    vocabulary = load(locale).vocabulary
    table: dict[tuple[str, ...], Token] = {}
    for section in (NUMBER_NOISE, *SECTIONS):
        entries = vocabulary.get(section) or ()
        pairs = entries.items() if isinstance(entries, dict) else ((phrase, None) for phrase in entries)
        for phrase, value in pairs:
            said = tuple(words(str(phrase)))
            table[said] = (section, said if section == NUMBER_NOISE else value)
    return table


@lru_cache(maxsize=4096)
def understand(text: str, locale: str) -> Said:
    """Read a sentence at a digits question; Said() when it holds no number one can take."""
    tokens = [
        token for term, word in phrases_in(words(text), _table(locale)) for token in _tokens(term, word)
    ]
    end = next((i for i, (section, _) in enumerate(tokens) if section == "end"), len(tokens))
    tokens = tokens[:end]  # «…, всё, спасибо»: the answer is over
    starts = [i for i, (section, _) in enumerate(tokens) if section == "zones"]
    if not starts:
        return _number(tokens, locale) or Said()
    if any(_is_number(t, locale) for t in tokens[: starts[0]]):
        return Said()  # a number before the first zone named: whose is it?
    zones, decimals = [], False
    for start, stop in zip(starts, [*starts[1:], len(tokens)]):
        said = _number(tokens[start + 1 : stop], locale)
        if said is None:
            return Said()
        zones.append((tokens[start][1], said.readings))
        decimals |= said.decimals
    return Said(zones[0][1], decimals, tuple(zones))


def _tokens(term: Token | None, word: str) -> list[Token]:
    if term is None:
        return [("word", word)]
    if term[0] == NUMBER_NOISE:
        return [("word", part) for part in term[1]]
    return [(term[0], word) if term[0] == "decimal_and" else term]  # «и» may be a plain filler


def _is_number(token: Token, locale: str) -> bool:
    return token[0] == "word" and is_number_word(str(token[1]), locale)


def _number(tokens: list[Token], locale: str) -> Said | None:
    """One number with its context, unit, fraction and corrections; None when there is none."""
    said = [i for i, token in enumerate(tokens) if _is_number(token, locale)]
    if not said:
        return None
    first, last = said[0], said[-1]
    # Context before the number, units after it; the fraction's words come between.
    if any(s == "context" for s, _ in tokens[first:]) or any(s == "units" for s, _ in tokens[:last]):
        return None
    body = [t for t in tokens[: last + 1] if t[0] != "context"] + [
        t for t in tokens[last + 1 :] if t[0] != "units"
    ]
    body, decimals = _whole_part(body, locale)
    if body is None:
        return None
    found = _corrected(body, locale)
    return Said(found, decimals) if found else None


def _whole_part(tokens: list[Token], locale: str) -> tuple[list[Token] | None, bool]:
    """The tokens before a fraction read off the display, and whether there was one."""
    mark = next((i for i, (section, _) in enumerate(tokens) if section == "decimal"), None)
    ends = [i for i, (section, _) in enumerate(tokens) if section == "fractions"]
    if mark is None and ends:  # «… и две десятых»: the «и» right before the fraction's number
        ands = [i for i, (section, _) in enumerate(tokens[: ends[0]]) if section == "decimal_and"]
        mark = ands[-1] if ands else ends[0]
    if mark is None:
        return _words_only(tokens), False
    fraction = _words_only([t for t in tokens[mark + 1 :] if t[0] != "fractions"])
    # The fraction is dropped, but only a number: «запятая дом» is no reading.
    if fraction is None or any(s == "corrections" for s, _ in fraction):
        return None, True
    if fraction and not readings(" ".join(str(value) for _, value in fraction), locale):
        return None, True
    if not fraction and not ends:  # «…, запятая»: the fraction is still to come
        return None, True
    return _words_only(tokens[:mark]), True


def _words_only(tokens: list[Token]) -> list[Token] | None:
    """The tokens, an «и»/"and" read as the filler it is; None when a sentence word is misplaced."""
    out = []
    for section, value in tokens:
        section = "word" if section == "decimal_and" else section
        if section not in ("word", "corrections"):
            return None
        out.append((section, value))
    return out


def _corrected(tokens: list[Token], locale: str) -> tuple[str, ...]:
    """The number as the caller last gave it: each correction replaces what came before it, or,
    said shorter, its tail («ноль семь два… ой, ноль семь три»). Where the tail may be longer or
    shorter («нет, сорок шесть»: 46 or 406), each is listed for the display and the previous
    reading to weigh."""
    versions, current = [], []
    for section, value in tokens:
        if section == "corrections":
            versions.append(current)
            current = []
        else:
            current.append(str(value))
    versions = [v for v in versions if v]
    if not current:  # «… ой»: the correction is still to come
        return ()
    found: tuple[str, ...] = ()
    for version in [*versions, current]:
        said = readings(" ".join(version), locale)
        if not said:
            return ()
        if found and len(said[0]) < len(found[0]):  # a tail: «…семьдесят два, ой, семьдесят три»
            tails = (old[: -len(new)] + new for old in found[:TAILS] for new in said if len(new) < len(old))
            said = tuple(dict.fromkeys(tails))
        found = said
    return tuple(islice(found, MAX_READINGS))


def parse_digits(text: str, locale: str) -> str | None:
    """Turn a transcript into a digit string; None when it holds no number."""
    return understand(text, locale).value


def parse_reading(
    text: str, locale: str, digits: int | None = None, previous: int | str | None = None
) -> Parsed:
    """Read a transcript as a meter reading, using the display's digits and the previous reading
    (the flow's `pick_reading`, which the call weighs a recognised answer's readings with)."""
    found = understand(text, locale).readings
    fits, value = pick_reading(found, digits, previous)
    return Parsed(found, fits, value)
