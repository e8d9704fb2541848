"""Locale packs: prompts and vocabulary per language, as data files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent
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


def available() -> list[str]:
    """Locale codes that have a pack."""
    return sorted(p.name for p in HERE.iterdir() if (p / "prompts.yaml").exists())


@cache
def load(code: str) -> LocalePack:
    """Load a locale pack once per process."""
    folder = HERE / code
    if not (folder / "prompts.yaml").exists():
        raise UnknownLocale(f"no locale pack {code!r}; have {', '.join(available())}")
    prompts = yaml.safe_load((folder / "prompts.yaml").read_text(encoding="utf-8"))
    vocabulary = yaml.safe_load((folder / "vocabulary.yaml").read_text(encoding="utf-8"))
    say = prompts.pop("_say")
    return LocalePack(code, prompts, vocabulary, say["language"], say["voice"])
