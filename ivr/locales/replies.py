"""Replies to text messages (every text channel) per locale: ivr/locales/<code>/replies.yaml."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ivr.locales import UnknownLocale, folder


@dataclass(frozen=True)
class Replies:
    code: str
    texts: dict[str, str]
    words: list[str]  # «показание, показания, показаний»: one, few, many (as the locale has them)

    def text(self, says: Iterable) -> str:
        """The reply to send: each Say's text, with zone labels and counts in words, one after another."""
        return " ".join(self.texts[say.prompt].format(**self._params(say.params)) for say in says)

    def _params(self, params: dict) -> dict:
        out = {}
        for name, value in params.items():
            if name == "label":
                value = self.label(value)
            elif name == "zones":
                labels = [self.label(v) for v in value]
                value = (
                    labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + self.texts["and"] + labels[-1]
                )
            out[name] = value
        if "count" in params:
            out["readings_word"] = self.plural(params["count"])
        return out

    def label(self, zone: tuple) -> str:
        """«Т1 (день)»: zone z of a meter with n zones, after the meter's serial when one is given."""
        n, z, *serial = zone
        return " ".join([*filter(None, serial), self.texts[f"zone_{n}_{z}"]])

    def plural(self, n: int) -> str:
        if len(self.words) < 3:  # one and other (en), or one form (ko)
            return self.words[0] if n == 1 or len(self.words) == 1 else self.words[1]
        if n % 10 == 1 and n % 100 != 11:  # the Slavic rule: 1, 21; 2-4, 22-24; the rest
            return self.words[0]
        return self.words[1] if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else self.words[2]


# A pack that lacks a reply (one added since it was written) answers with this pack's, not a KeyError.
FALLBACK = "en"


def load(code: str) -> Replies:
    return _load(folder(code) / "replies.yaml", folder(FALLBACK) / "replies.yaml")


@cache
def _load(path: Path, fallback: Path) -> Replies:
    if not path.exists():
        raise UnknownLocale(f"no replies for locale {path.parent.name!r}")
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = texts.pop("readings_word")
    if path != fallback:
        texts = {**_load(fallback, fallback).texts, **texts}
    return Replies(path.parent.name, texts, words)
