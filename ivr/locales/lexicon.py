"""The flow's template words (flows.Lexicon) built from every installed pack's texts.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ivr.flows import Language, Lexicon, Text, TextKind, parse_text
from ivr.locales.texts import packs, template


def read_text(body: str) -> Text:
    """A text message read with every installed language's template words."""
    return parse_text(body, lexicon())


def lexicon() -> Lexicon:
    """Every installed language's template words, for ivr.flows.parse_text."""
    return _lexicon(packs())


@cache
def _lexicon(found: tuple[Path, ...]) -> Lexicon:
    return Lexicon(_language(pack.name, template(pack)) for pack in found)


def _language(code: str, words: dict) -> Language:
    return Language(
        code,
        words.get("letters", ""),
        frozenset(words.get("words") or ()),
        {TextKind(kind): frozenset(said) for kind, said in (words.get("keywords") or {}).items()},
        frozenset(words.get("zone") or ()),
        tuple(words.get("units") or ()),
        dict(words.get("alike") or {}),
    )
