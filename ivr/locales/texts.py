"""How each language is written, from its pack's texts.yaml: the template's words a texter uses (the
flow's Lexicon is built from them, ivr/locales/lexicon.py) and how an address is written, for masking."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ivr.locales import available, folder


@dataclass(frozen=True)
class Addresses:
    """How one language writes an address, for masking it."""

    markers: tuple[str, ...] = ()  # where an address in a log line starts: «ул.», «улица»
    characters: str = ""  # a character class: what it runs on over after its marker
    numbered: bool = False  # a marker counts only before a number (the log's words share its letters)
    house: tuple[str, ...] = ()  # where the house and flat, hidden, start: «д.», «кв.», "apt"


def packs() -> tuple[Path, ...]:
    """The folder of every installed pack."""
    return tuple(folder(code) for code in available())


def template(pack: Path) -> dict:
    """A pack's template words: letters, words, keywords, zone, units, alike (DEVELOPERS.md)."""
    return _written(pack).get("template") or {}


def addresses() -> tuple[Addresses, ...]:
    """Each installed language's way of writing an address."""
    return _addresses(packs())


@cache
def _addresses(found: tuple[Path, ...]) -> tuple[Addresses, ...]:
    return tuple(
        Addresses(
            tuple(section.get("markers") or ()),
            section.get("characters", ""),
            bool(section.get("numbered")),
            tuple(section.get("house") or ()),
        )  # fmt: skip
        for pack in found
        if (section := _written(pack).get("addresses"))
    )


@cache
def _written(pack: Path) -> dict:
    path = pack / "texts.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
