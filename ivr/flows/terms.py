"""The domain's words, one home each: str-valued, so stored and JSON values are the plain words."""

from __future__ import annotations

from enum import StrEnum


class Flag(StrEnum):
    """Why a reading deserves a second look; stored ';'-joined on the reading."""

    NEGATIVE = "NEGATIVE"  # lower than the previous one, and the caller insisted
    ROLLOVER = "ROLLOVER"  # the display wrapped past zero
    HIGH = "HIGH"  # more use than the history makes likely
    ZERO = "ZERO"  # no use since the previous reading
    OUT_OF_WINDOW = "OUT_OF_WINDOW"  # given outside the region's window: counts for the next period
    LOW_CONFIDENCE = "LOW_CONFIDENCE"  # a voice answer the recogniser was unsure of
    UNVERIFIED_SENDER = "UNVERIFIED_SENDER"  # a text from a number or address not on the account


class ReadingStatus(StrEnum):
    ACCEPTED = "accepted"  # counts, and moved the meter on
    PENDING_REVIEW = "pending_review"  # waits for a supervisor
    REJECTED = "rejected"  # refused by a supervisor
    SUPERSEDED = "superseded"  # replaced by a later reading of the same period


class Channel(StrEnum):
    """How a reading came in, stored on the reading and in the export: by a call, or by the name of a
    text channel of the registry (ivr/channels.py), which the flow treats as a plain string."""

    IVR = "ivr"


class MessageStatus(StrEnum):
    """What came of a text message, whatever its channel; stored on the message."""

    STORED = "stored"  # its readings were saved
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # a rollover or high use waits for «ДА»
    CONFIRMED = "confirmed"  # the «ДА» that stored an earlier message's readings
    EXPIRED = "expired"  # readings that waited for «ДА» too long, or a «ДА» that came too late
    REFUSED = "refused"  # readings not taken: lower than before, wrong count, unknown account
    HELP = "help"  # HELP, or a text that is no template: answered with the template
    CONTACT = "contact"  # a contact card shared: the sender's own number kept, another's refused
    STOP = "stop"  # the sender opted out of notices
    START = "start"  # the sender opted in again
    RATE_LIMITED = "rate_limited"  # too many messages from the sender in the window
    REJECTED = "rejected"  # too long, or with media: not read
    IGNORED = "ignored"  # an auto-reply, bounce or list mail: recorded, never answered (no mail loops)


class Outcome(StrEnum):
    """How a call ended."""

    COMPLETED = "completed"  # the closing was said
    TRANSFERRED = "transferred"  # handed to the operator, or apologised for not having one
    ABANDONED = "abandoned"  # the caller hung up on the way
    FAILED = "failed"  # the line failed: busy, no answer, or a network error


class TransferReason(StrEnum):
    """Why a call was handed over to the operator; stored on the call, and said to the caller first.

    Each has its sentence, the prompt transfer_<reason>, in every locale pack.
    """

    OPERATOR = "operator"  # the caller asked: key 0, or «оператор» and then «да»
    SILENCE = "silence"  # the attempts ran out on silence
    NOT_UNDERSTOOD = "not_understood"  # the attempts at a question ran out on answers it could not use
    READING = "reading"  # a zone's reading could not be recognised, or was rejected at the read-back
    LOWER = "lower"  # the reading stayed lower than the previous one
    ACCOUNT = "account"  # no account found for the caller, or its address was wrong
    NO_METERS = "no_meters"  # the account has no meters to read
    ERROR = "error"  # the hotline failed twice in a row on this call
