"""Turn transcripts into meaning: digit strings, the question kinds' answers, operator."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from ivr.flows import kind_named
from ivr.locales import load
from ivr.speech.recognizer import FREE

OPERATOR = "operator"  # the section heard at every question
# A number's grammar holds every word the parser understands around a number too (numbers.py,
# sentence.py), each word on its own: Vosk chains a grammar's single words in any order.
HEARD_AROUND_NUMBERS = ("zero_runs", "hesitations", "fillers", "context", "units", "end", "corrections",
                        "decimal", "fractions", "decimal_and", "zones")  # fmt: skip

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

Term = tuple[str, object]  # (vocabulary section or "arabic"/"other", value)


def words(text: str) -> list[str]:
    """Split text into lower-case words, reading ё as е."""
    text = text.lower().replace("ё", "е").replace("’", "'")
    return _WORD.findall(text)


def _answers(kind: str) -> tuple[str, ...]:
    """The vocabulary sections a question kind's answers are heard in; ValueError for no kind."""
    return () if kind == FREE else kind_named(kind).sections


def sections(kind: str) -> tuple[str, ...]:
    """The vocabulary sections a question kind listens for: its answers' and the operator's."""
    return (*_answers(kind), OPERATOR)


def number(kind: str) -> bool:
    """Say whether a question kind's answer is a number."""
    return kind != FREE and kind_named(kind).number


def _entries(vocabulary: dict, section: str) -> list[tuple[str, object]]:
    """List a section's (phrase, value) pairs; plain lists carry no value."""
    entries = vocabulary.get(section) or ()
    if isinstance(entries, dict):
        return [(str(phrase), value) for phrase, value in entries.items()]
    return [(str(phrase), None) for phrase in entries]


@cache
def _phrases(locale: str, listened: tuple[str, ...]) -> dict[tuple[str, ...], Term]:
    """Map every phrase of the sections listened for to its section and value."""
    vocabulary = load(locale).vocabulary
    table = {}
    for section in listened:
        for phrase, value in _entries(vocabulary, section):
            table[tuple(words(phrase))] = (section, value)
    return table


def phrases_in(said: list[str], table: dict[tuple[str, ...], Term]) -> Iterator[tuple[Term | None, str]]:
    """Walk the words, taking the table's longest phrase at each step; a word it lacks comes as None."""
    longest = max(map(len, table), default=1)
    i = 0
    while i < len(said):
        for size in range(min(longest, len(said) - i), 0, -1):
            term = table.get(tuple(said[i : i + size]))
            if term:
                yield term, said[i]
                i += size
                break
        else:
            yield None, said[i]
            i += 1


def _terms(text: str, locale: str, kind: str) -> list[Term]:
    """Read a transcript as vocabulary terms, the longest phrase first."""
    return [
        term or ("arabic" if word.isascii() and word.isdigit() else "other", word)
        for term, word in phrases_in(words(text), _phrases(locale, sections(kind)))
    ]


@cache
def garbage_phrases(locale: str) -> list[str]:
    """List what callers say that answers no question («алло», «не знаю»): the garbage model."""
    return [phrase for phrase, _ in _entries(load(locale).vocabulary, "garbage")]


# At a number's question these are no garbage: they are the number's sentence (sentence.py).
SENTENCE = ("fillers", "context", "units", "end", "corrections", "decimal", "fractions", "zones")


@cache
def _sentence(locale: str) -> dict[tuple[str, ...], Term]:
    vocabulary = load(locale).vocabulary
    return {tuple(words(p)): (section, v) for section in SENTENCE for p, v in _entries(vocabulary, section)}


@cache
def _garbage(locale: str, is_number: bool) -> frozenset[tuple[str, ...]]:
    phrases = {tuple(words(phrase)) for phrase in garbage_phrases(locale)}
    if is_number:  # «секунду», «извините»: a number's sentence is no reason to refuse it
        phrases -= set(_sentence(locale))
    return frozenset(phrases)


def garbled(text: str, locale: str, kind: str) -> bool:
    """Say whether a transcript holds a garbage word or phrase, which makes it no answer."""
    said, is_number = words(text), number(kind)
    if is_number:  # "wait" in "no wait" is part of a correction; after «всё» nothing counts
        heard = list(phrases_in(said, _sentence(locale)))
        end = next((i for i, (term, _) in enumerate(heard) if term and term[0] == "end"), len(heard))
        said = [word for term, word in heard[:end] if term is None]
    return any(
        tuple(said[i : i + len(phrase)]) == phrase
        for phrase in _garbage(locale, is_number)
        for i in range(len(said))
    )


def interpret(kind: str, text: str, locale: str) -> str | None:
    """Say what a transcript answers to a question kind; "operator" wins at every kind."""
    # Any garbage word makes the answer a no-match, «оператор» included: the engine forces
    # unclear speech onto grammar words, so a mix of answer and garbage is no clear answer.
    if garbled(text, locale, kind):
        return None
    terms = _terms(text, locale, kind)
    heard = {section for section, _ in terms}
    if OPERATOR in heard:
        return OPERATOR
    if number(kind):
        from ivr.speech.sentence import parse_digits  # sentence builds on words(): import at use

        return parse_digits(text, locale)
    # An answer means the section it was heard in. «да нет» is no answer at all: ask again
    # rather than guess.
    answers = heard & set(_answers(kind))
    return answers.pop() if len(answers) == 1 else None


def grammar(kind: str, locale: str) -> list[str]:
    """List the words and phrases a Vosk grammar needs for a question kind."""
    if kind == FREE:
        return []
    around = HEARD_AROUND_NUMBERS if number(kind) else ()
    vocabulary = load(locale).vocabulary
    listed = [
        part
        for section in (*sections(kind), *around)
        for phrase, _ in _entries(vocabulary, section)
        # The sentence's phrases as their words («лицевой», «счет»), answers as they are.
        for part in (words(phrase) if section in HEARD_AROUND_NUMBERS else [phrase])
    ]
    return list(dict.fromkeys(listed))
