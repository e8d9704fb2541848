"""How each language is written, from its pack's texts.yaml: the template's words for the text parser,
and the markers that start an address for the log's masking."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ivr.flows import Language, Lexicon, Text, TextKind, parse_text
from ivr.locales import available, folder


def read_text(body: str) -> Text:
    """A text message read with every installed language's template words."""
    return parse_text(body, lexicon())


def lexicon() -> Lexicon:
    """Every installed language's template words, for ivr.flows.parse_text."""
    return _lexicon(tuple(folder(code) for code in available()))


@dataclass(frozen=True)
class Addresses:
    """How one language writes an address, for masking it."""

    markers: tuple[str, ...] = ()  # where an address in a log line starts: «ул.», «улица»
    characters: str = ""  # a character class: what it runs on over after its marker
    numbered: bool = False  # a marker counts only before a number (the log's words share its letters)
    house: tuple[str, ...] = ()  # where the house and flat, hidden, start: «д.», «кв.», "apt"


def addresses() -> tuple[Addresses, ...]:
    """Each installed language's way of writing an address."""
    return tuple(
        Addresses(
            tuple(section.get("markers") or ()),
            section.get("characters", ""),
            bool(section.get("numbered")),
            tuple(section.get("house") or ()),
        )  # fmt: skip
        for code in available()
        if (section := _written(folder(code)).get("addresses"))
    )


@cache
def _lexicon(packs: tuple[Path, ...]) -> Lexicon:
    return Lexicon(_language(pack.name, _written(pack).get("template") or {}) for pack in packs)


def _language(code: str, template: dict) -> Language:
    return Language(
        code,
        template.get("letters", ""),
        frozenset(template.get("words") or ()),
        {TextKind(kind): frozenset(words) for kind, words in (template.get("keywords") or {}).items()},
        frozenset(template.get("zone") or ()),
        tuple(template.get("units") or ()),
        dict(template.get("alike") or {}),
    )


@cache
def _written(pack: Path) -> dict:
    path = pack / "texts.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
