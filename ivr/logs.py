"""Log lines without personal data: phone numbers, addresses and e-mail addresses masked, whatever
logger writes them.

The app never logs a number or an address on purpose (it masks them first); this is the net under
that rule: for SQLAlchemy and gunicorn messages, exception texts, and request lines with a query.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from functools import cache
from urllib.parse import unquote

from ivr.locales.texts import Addresses, addresses
from ivr.store.phones import mask, mask_address, mask_email, normalise

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The call (CallSid) or message (MessageSid) the current request or media stream works for.
CONVERSATION: contextvars.ContextVar[str | None] = contextvars.ContextVar("ivr_conversation", default=None)
# Loggers whose own records carry request lines and client input: gunicorn's error and access logs
# and the development server's. A filter on the logger survives gunicorn re-creating its handlers.
REQUEST_LOGGERS = ("gunicorn.error", "gunicorn.access", "werkzeug")

# 10 to 15 digits, maybe after + (or %2B in a URL), with spaces, dashes and brackets between, as
# written or URL-encoded: +79161234567, 8 (916) 123-45-67, +7 916 123 45 67, 8+%28916%29+123-45-67.
# Not inside a word or a longer number (SIDs, hashes, decimals), nor from an ISO date on (timestamps).
SEPARATOR = r"(?:[ \t()+-]|%20|%28|%29)"
PHONE = re.compile(
    rf"(?<![\w%+])(?<!\d\.)(?!\d{{4}}-\d\d-\d\d)(?:\+|%2B)?\d(?:{SEPARATOR}{{0,3}}\d){{9,14}}(?!\w)",
    re.IGNORECASE,
)
# What follows a marker that is one only before a number: 3, 4B.
NUMBER = r"\s*\d+(?:[^\W\d_](?!\w))?"
# An e-mail address, also URL-encoded (%40); masked first, so digits in it are not taken for a phone.
EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")


def scrub(text: str) -> str:
    """The text with every e-mail address, phone number and address (in any installed locale) masked."""
    text = EMAIL.sub(lambda m: mask_email(unquote(m.group())), text)
    text = PHONE.sub(lambda m: _phone(m.group()), text)
    return address_pattern().sub(lambda m: _address(m.group()), text)


def address_pattern() -> re.Pattern:
    """An address in any installed locale."""
    return _addresses(addresses())


@cache
def _addresses(packs: tuple[Addresses, ...]) -> re.Pattern:
    """An address from a locale's first marker (ул., д., кв., улица ...) over the characters its
    addresses are written in; for Russian, Latin text (the log's own words) ends it."""
    found = []
    for pack in (p for p in packs if p.markers):
        # An abbreviation keeps its dot; a whole word is followed by a space.
        words = [re.escape(m) if m.endswith(".") else rf"{re.escape(m)}\s" for m in pack.markers]
        number = NUMBER if pack.numbered else ""
        found.append(rf"(?:{'|'.join(words)}){number}[{pack.characters}]*")
    return re.compile(rf"(?<![\w-])(?:{'|'.join(found) or '(?!)'})", re.IGNORECASE)


def _phone(found: str) -> str:
    # Inside a number a + is a URL-encoded space; only a leading one (or %2B) is the country's.
    found = unquote(found[0] + found[1:].replace("+", " "))
    return mask(normalise(found) or found)


def _address(found: str) -> str:
    address = found.rstrip(" ,.-")
    return mask_address(address) + found[len(address) :]


class Masking(logging.Filter):
    """Rewrites a record's message, exception and stack text with personal data masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "ivr_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format must not hide the line, nor unmask it
            message = f"{record.msg} {record.args}"
        record.msg, record.args = scrub(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record.ivr_masked = True
        record.call_sid = CONVERSATION.get()
        return True


class Json(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the call, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}  # fmt: skip
        if call := getattr(record, "call_sid", None):
            line["call_sid"] = call
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(self.formatException(record.exc_info))
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


MASKING = Masking()


def install(form: str = "text") -> None:
    """Mask every log line this process writes; run again whenever handlers may have been added.

    `form` json (IVR_LOG_FORMAT) writes every line as a JSON object, gunicorn's own included.

    Every handler configured so far (gunicorn's error and access logs, a logging config's, the root's)
    gets the filter. With no handler at all, records would reach Python's unfiltered last-resort
    handler, so the root gets one on stderr, masked.
    """
    for name in REQUEST_LOGGERS:
        _add(logging.getLogger(name))
    loggers = [logging.root, *(logging.root.manager.loggerDict.values())]
    if form == "json":
        logging.captureWarnings(True)  # a Python warning is a log line too, not loose text on stderr
    if not logging.root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        logging.root.addHandler(handler)
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            _add(handler)
            if form == "json" and not isinstance(handler.formatter, Json):
                handler.setFormatter(Json())


def _add(target: logging.Filterer) -> None:
    if MASKING not in target.filters:
        target.addFilter(MASKING)
