"""The call service: a caller event for call X at question N -> actions, taken once, saved once."""

from ivr.calls.answers import Answer
from ivr.calls.service import CallService, Renderer, Reply, Waiting

__all__ = ["Answer", "CallService", "Renderer", "Reply", "Waiting"]
