"""The conversation as pure code: no Flask, no SQL, no Twilio."""
from ivr.flows.engine import advance, start, validate
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
)
from ivr.flows.state import CallState

__all__ = [
    "AccountInfo", "Action", "Ask", "CallState", "Context", "Event", "Hangup", "Keys", "MeterInfo",
    "SaveMeter", "Say", "Silence", "Speech", "Start", "Transfer", "ZoneInfo",
    "advance", "start", "validate",
]
