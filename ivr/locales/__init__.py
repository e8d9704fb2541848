"""Locale packs: prompts, replies, vocabulary and written words per language, as data files.

A pack is a folder named by its locale code holding prompts.yaml: the built-in ones here, and those
in the folder IVR_LOCALES_DIR names (one there of a built-in's code replaces it). No code lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

BUILT_IN = Path(__file__).parent
# Where packs are looked for, the first that has a code winning: IVR_LOCALES_DIR's, then the built-in.
_ROOTS = [BUILT_IN]
# Numbers the caller gave or must check are read back digit by digit.
SPELLED = ("digits", "digits2", "digits3", "previous")


class UnknownLocale(ValueError):
    """No locale pack of that name."""


@dataclass(frozen=True)
class LocalePack:
    code: str
    prompts: dict[str, str]
    vocabulary: dict
    say_language: str
    say_voice: str

    def text(self, prompt_id: str, **params) -> str:
        """Render a prompt's text with its parameters."""
        for name in SPELLED:
            if params.get(name) is not None:
                params[name] = self.spell(str(params[name]))
        return self.prompts[prompt_id].format(**params)

    def spell(self, digits: str) -> str:
        """Read a digit string back digit by digit, in words."""
        names = self.vocabulary["spoken_digits"]
        return " ".join(names[int(d)] for d in digits)


def use(extra: str | Path | None) -> None:
    """Look for packs in `extra` too (IVR_LOCALES_DIR), before the built-in ones."""
    _ROOTS[:] = _roots(extra)


def available(extra: str | Path | None = None) -> list[str]:
    """Locale codes that have a pack; with `extra`, those there too, as `use(extra)` would make them."""
    return list(_found(tuple(_roots(extra) if extra else _ROOTS)))


def folder(code: str) -> Path:
    """The folder of a locale's pack."""
    found = _found(tuple(_ROOTS))
    if code not in found:
        raise UnknownLocale(f"no locale pack {code!r}; have {', '.join(found)}")
    return found[code]


def _roots(extra: str | Path | None) -> list[Path]:
    return [Path(extra), BUILT_IN] if extra else [BUILT_IN]


@cache
def _found(roots: tuple[Path, ...]) -> dict[str, Path]:
    packs: dict[str, Path] = {}
    for root in reversed(roots):  # the first root's pack of a code wins
        if root.is_dir():
            packs |= {p.name: p for p in root.iterdir() if (p / "prompts.yaml").is_file()}
    return dict(sorted(packs.items()))


def load(code: str) -> LocalePack:
    """A locale's pack, loaded once per process."""
    return _load(folder(code))


@cache
def _load(pack: Path) -> LocalePack:
    prompts = yaml.safe_load((pack / "prompts.yaml").read_text(encoding="utf-8"))
    vocabulary = yaml.safe_load((pack / "vocabulary.yaml").read_text(encoding="utf-8"))
    say = prompts.pop("_say")
    return LocalePack(pack.name, prompts, vocabulary, say["language"], say["voice"])
