"""What the app holds once built: settings, sessions, speech, windows and the call service, typed."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy.orm import sessionmaker

from ivr.calls import CallService
from ivr.calls.messages import MessageService
from ivr.clock import Clock
from ivr.config import Config
from ivr.flows import Regions
from ivr.speech.service import Speech

KEY = "ivr"


@dataclass(frozen=True)
class Runtime:
    config: Config
    sessions: sessionmaker
    speech: Speech
    regions: Regions
    calls: CallService
    messages: MessageService  # SMS, WhatsApp and e-mail
    clock: Clock  # the one clock; tests and QA replays set its source so windows are deterministic


def runtime(app: Flask | None = None) -> Runtime:
    """The app's runtime: one typed lookup instead of string keys."""
    return (app or current_app).extensions[KEY]


def config(app: Flask | None = None) -> Config:
    return runtime(app).config
