"""The flow as data: one small function per question, and which question comes when."""
from __future__ import annotations

from ivr.flows.common import FLOW, MAX_FAILS, ask, fail, transfer
from ivr.flows.identify import answer_account, answer_address, answer_intent
from ivr.flows.identify import ask_account, ask_address, ask_intent
from ivr.flows.model import Node
from ivr.flows.readings import answer_confirm, answer_reading, ask_confirm, ask_reading

__all__ = ["FLOW", "MAX_FAILS", "ask", "fail", "transfer"]

FLOW.update({
    "intent": Node("intent", ask_intent, answer_intent),
    "account": Node("digits", ask_account, answer_account),
    "address": Node("yesno", ask_address, answer_address),
    "reading": Node("digits", ask_reading, answer_reading),
    "confirm": Node("yesno", ask_confirm, answer_confirm),
})
