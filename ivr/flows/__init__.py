"""The conversation as pure code: no Flask, no SQL, no Twilio.

Other packages import from here only, never from the modules inside.
"""

from ivr.flows.engine import advance, prompts_used, start, validate
from ivr.flows.flow import DONE, TRANSFERRED, Flow, FlowDefinitionError, FlowError, Node
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
from ivr.flows.rules import (
    Rules,
    consumption,
    regraded,
    status_for,
    too_high,
)
from ivr.flows.state import CallState, PendingReading
from ivr.flows.steps import FLOW, question_order
from ivr.flows.terms import Flag, Outcome, QuestionKind, ReadingStatus, TransferReason

__all__ = [
    "DONE",
    "FLOW",
    "TRANSFERRED",
    "AccountInfo",
    "Action",
    "Ask",
    "CallState",
    "Context",
    "Event",
    "Flag",
    "Flow",
    "FlowDefinitionError",
    "FlowError",
    "Hangup",
    "Keys",
    "MeterInfo",
    "Node",
    "Outcome",
    "PendingReading",
    "QuestionKind",
    "ReadingStatus",
    "Regions",
    "RegionsFileError",
    "Rules",
    "SaveMeter",
    "Say",
    "Silence",
    "Speech",
    "Start",
    "Transfer",
    "TransferReason",
    "ZoneInfo",
    "ZoneReading",
    "advance",
    "consumption",
    "load_regions",
    "prompts_used",
    "question_order",
    "regraded",
    "start",
    "status_for",
    "too_high",
    "validate",
]
