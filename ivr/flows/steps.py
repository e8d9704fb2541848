"""The flow as data: each question's kind, its steps, where it may lead and what it may say."""

from __future__ import annotations

from ivr.flows.flow import DONE, Flow, Node
from ivr.flows.identify import (
    answer_account,
    answer_address,
    answer_intent,
    ask_account,
    ask_address,
    ask_intent,
    weigh_account,
)
from ivr.flows.kinds import DIGITS, INTENT, YESNO
from ivr.flows.operator import OPERATOR, answer_operator, ask_operator
from ivr.flows.readings import (
    answer_confirm,
    answer_reading,
    ask_confirm,
    ask_reading,
    confirm_prompts,
    weigh_reading,
    zone_prompts,
)
from ivr.flows.terms import TransferReason
from ivr.flows.zones import CONFIRM_ZONES, answer_confirm_zones, answer_zones, ask_confirm_zones
from ivr.flows.zones import SAYS as ZONE_SAYS
from ivr.flows.zones import confirm_prompts as zone_confirm_prompts

FLOW = Flow(
    "intent",
    intent=Node(  # the greeting: «оператор» here is a clear request, taken at once
        INTENT, ask_intent, answer_intent,
        goes_to=("account", "address"),
        says=("intent", "intent_keys"),
    ),
    account=Node(
        DIGITS, ask_account, answer_account,
        goes_to=("address", OPERATOR),
        says=("account", "account_keys", "account_unknown"),
        reason=TransferReason.ACCOUNT,
        weigh=weigh_account,
    ),
    address=Node(
        YESNO, ask_address, answer_address,
        goes_to=("reading", "account", OPERATOR),
        says=("address", "address_keys", "address_wrong", "meter_intro"),
    ),
    reading=Node(
        DIGITS, ask_reading, answer_reading,
        goes_to=("confirm", CONFIRM_ZONES, OPERATOR),
        says=(*zone_prompts(), "reading_invalid", "reading_lower", *ZONE_SAYS),
        reason=TransferReason.READING,
        weigh=weigh_reading,
        zones=answer_zones,
    ),
    confirm=Node(
        YESNO, ask_confirm, answer_confirm,
        goes_to=("reading", DONE, OPERATOR),
        says=(*confirm_prompts(), "reading_again", "reading_changed", "meter_saved", "meter_intro", "next_period",
              "review", "goodbye"),
        reason=TransferReason.READING,
        confirms=True,
    ),
    confirm_zones=Node(  # the read-back of zones named in one answer
        YESNO, ask_confirm_zones, answer_confirm_zones,
        goes_to=(CONFIRM_ZONES, "reading", DONE, OPERATOR),
        says=(*zone_confirm_prompts(), "reading_again", "meter_saved", "meter_intro", "next_period",
              "review", "goodbye"),
        reason=TransferReason.READING,
        confirms=True,
    ),
    operator=Node(  # asked on the attempts of the question the caller was at
        YESNO, ask_operator, answer_operator,
        goes_to=("account", "address", "reading", "confirm", CONFIRM_ZONES),
        says=("operator_confirm", "operator_confirm_keys", "operator_no"),
        reason=TransferReason.OPERATOR,
    ),
)  # fmt: skip


def question_order() -> list[str]:
    """The hotline's questions in the order a call meets them."""
    return list(FLOW)
