"""What the caller did at a question, whatever carried it: keys, a recording, a stream, a message."""

from __future__ import annotations

from dataclasses import dataclass

from ivr import flows


@dataclass(frozen=True)
class Answer:
    """A caller event with what the recogniser made of it, for the Turn record."""

    event: flows.Event
    outcome: str  # answered, no-input, no-match, keys, no-audio, no-model, bad-audio
    heard: str | None = None
    keys: str | None = None
    confidence: float | None = None
    words: list | None = None
    asr_seconds: float | None = None
    recording_path: str | None = None

    @classmethod
    def keys_pressed(cls, digits: str) -> Answer:
        digits = digits[:32]  # longer than any account or reading: the rest is noise
        return cls(flows.Keys(digits), "keys", keys=digits)

    @classmethod
    def silence(cls) -> Answer:
        return cls(flows.Silence(), "no-input")

    @classmethod
    def unheard(cls, outcome: str, recording_path: str | None = None) -> Answer:
        """Audio that could not be heard at all: a no-match the flow re-asks."""
        return cls(flows.Speech("", None, 0.0), outcome, recording_path=recording_path)

    @property
    def value(self) -> str | None:
        return getattr(self.event, "value", None) or self.keys
