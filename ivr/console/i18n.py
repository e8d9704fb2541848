"""Console texts in Russian (default) and each language with a catalogue, chosen by ?lang= and kept
in a cookie."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import yaml
from flask import Response, g, request

DEFAULT = "ru"
COOKIE = "console_lang"
FOLDER = Path(__file__).parent / "locales"
# A language is its catalogue, locales/<code>.yaml; the default is offered first.
LOCALES = (DEFAULT, *sorted(p.stem for p in FOLDER.glob("*.yaml") if p.stem != DEFAULT))


@cache
def messages(locale: str) -> dict[str, str]:
    """The message catalogue of one locale."""
    return yaml.safe_load((FOLDER / f"{locale}.yaml").read_text(encoding="utf-8"))


def current() -> str:
    """The locale of this request: ?lang=, then the cookie, then Russian."""
    if "console_locale" not in g:
        asked = request.args.get("lang") or request.cookies.get(COOKIE)
        g.console_locale = asked if asked in LOCALES else DEFAULT
    return g.console_locale


def known(key: str) -> bool:
    return key in messages(DEFAULT)


def translate(key: str, **params: object) -> str:
    """The text for a key in the current locale; for a name the catalogue lacks, the name itself."""
    text = messages(current()).get(key) or messages(DEFAULT).get(key) or key.rsplit(".", 1)[-1]
    return text.format(**params) if params else text


def channel_label(name: str) -> str:
    """A channel's name on the console: the catalogue's `channel.<name>` when it has one (a call is
    «звонок»), else the registry's label, which is the same in every language (SMS, Telegram)."""
    from ivr.channels import TRAITS

    if known(f"channel.{name}") or name not in TRAITS:
        return translate(f"channel.{name}")
    return TRAITS[name].label


def remember(response: Response) -> Response:
    """Keep a language chosen with ?lang= for the next visits."""
    asked = request.args.get("lang")
    if asked in LOCALES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE,
            asked,
            max_age=365 * 86400,
            samesite="Lax",
            secure=request.is_secure,
            httponly=True,
        )
    return response


def switch(locale: str) -> str:
    """This page in another language: the same path and query, whatever the query holds."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.script_root}{request.path}?{urlencode([*args, ('lang', locale)])}"


def template_globals() -> dict:
    return {
        "_": translate,
        "channel_label": channel_label,
        "known": known,
        "locale": current(),
        "locales": LOCALES,
        "switch_locale": switch,
    }
