"""The conversation as pure code: no Flask, no SQL, no Twilio.

Other packages import from here only, never from the modules inside.
"""

from ivr.flows.engine import advance, prompts_used, reconfirm, start, validate
from ivr.flows.flow import DONE, TRANSFERRED, Flow, FlowDefinitionError, FlowError, Node
from ivr.flows.kinds import KINDS, Kind, kind_named
from ivr.flows.model import (
    AccountInfo,
    Action,
    Ask,
    Context,
    Event,
    Hangup,
    Keys,
    MeterInfo,
    SaveMeter,
    Say,
    Silence,
    Speech,
    Start,
    Transfer,
    ZoneInfo,
    ZoneReading,
)
from ivr.flows.regions import Regions, RegionsFileError
from ivr.flows.regions import load as load_regions
from ivr.flows.rules import Judgement, Rules, heard, judge, rejudge, status_for
from ivr.flows.state import CallState, PendingReading
from ivr.flows.steps import FLOW, question_order
from ivr.flows.template import Language, Lexicon, Number, Text, TextKind
from ivr.flows.template import parse as parse_text
from ivr.flows.terms import Channel, Flag, MessageStatus, Outcome, ReadingStatus, TransferReason
from ivr.flows.texts import REPLIES, TextResult, held_json
from ivr.flows.texts import from_held as texts_from_held
from ivr.flows.texts import stored as stored_says
from ivr.flows.texts import take as take_text

__all__ = [
    "DONE",
    "FLOW",
    "TRANSFERRED",
    "AccountInfo",
    "Action",
    "Ask",
    "CallState",
    "Channel",
    "Context",
    "Event",
    "Flag",
    "Flow",
    "FlowDefinitionError",
    "FlowError",
    "Hangup",
    "KINDS",
    "Keys",
    "Kind",
    "MessageStatus",
    "MeterInfo",
    "Node",
    "Number",
    "Outcome",
    "PendingReading",
    "REPLIES",
    "ReadingStatus",
    "Regions",
    "RegionsFileError",
    "Rules",
    "SaveMeter",
    "Say",
    "Silence",
    "Speech",
    "Start",
    "Text",
    "TextKind",
    "TextResult",
    "Transfer",
    "TransferReason",
    "ZoneInfo",
    "ZoneReading",
    "advance",
    "held_json",
    "kind_named",
    "load_regions",
    "parse_text",
    "prompts_used",
    "question_order",
    "start",
    "reconfirm",
    "status_for",
    "judge",
    "rejudge",
    "heard",
    "Judgement",
    "Language",
    "Lexicon",
    "stored_says",
    "take_text",
    "texts_from_held",
    "validate",
]
