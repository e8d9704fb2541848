"""No mail loops: letters written by machines (auto-replies, bounces, list mail) are never answered.

RFC 3834 (Auto-Submitted), the de facto Precedence and X-Autoreply headers, RFC 2369/2919 list
headers, and bounces: an empty Return-Path, a delivery report, or MAILER-DAEMON/postmaster as sender.
"""

from __future__ import annotations

from email.message import EmailMessage

LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post")
AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply")
MACHINES = ("mailer-daemon", "postmaster")


def automatic(message: EmailMessage, sender: str) -> str | None:
    """Why this letter must not be answered, or None for a person's letter."""
    submitted = _value(message, "Auto-Submitted")
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    precedence = _value(message, "Precedence")
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    if "Return-Path" in message and _value(message, "Return-Path") in ("", "<>"):
        return "an empty Return-Path (a bounce)"
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report"
    for name in LIST_HEADERS + AUTOREPLY_HEADERS:
        if name in message:
            return f"a {name} header"
    if not sender or sender.split("@")[0].lower() in MACHINES:
        return "sent by a mail system"
    return None


def _value(message: EmailMessage, name: str) -> str:
    """The header's value, lower-cased, without parameters (Auto-Submitted: auto-replied; x=y)."""
    return str(message.get(name, "")).split(";")[0].strip().lower()
