"""Configuration from environment variables (see DESIGN.md)."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PREFIXES = "https://api.twilio.com/"


def from_env(instance_path: str) -> dict:
    """Read the hotline's settings from the environment."""
    env = os.environ
    instance = Path(instance_path)
    config = {
        "IVR_DATABASE_URL": env.get("IVR_DATABASE_URL") or f"sqlite:///{instance / 'ivr.sqlite3'}",
        "IVR_PUBLIC_URL": env.get("IVR_PUBLIC_URL") or None,
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID") or None,
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN") or None,
        "IVR_VOSK_MODEL": env.get("IVR_VOSK_MODEL") or None,
        "IVR_LOCALE": env.get("IVR_LOCALE") or "ru",
        "IVR_TIMEZONE": env.get("IVR_TIMEZONE") or "Europe/Moscow",
        "IVR_OPERATOR_NUMBER": env.get("IVR_OPERATOR_NUMBER") or None,
        "IVR_RECORDING_URL_PREFIXES": [
            p.strip()
            for p in (env.get("IVR_RECORDING_URL_PREFIXES") or DEFAULT_PREFIXES).split(",")
            if p.strip()
        ],
        "IVR_REGIONS_FILE": env.get("IVR_REGIONS_FILE") or None,
        "IVR_RECORDINGS_DIR": env.get("IVR_RECORDINGS_DIR") or str(instance / "recordings"),
        "IVR_RECORDING_MAX_BYTES": int(env.get("IVR_RECORDING_MAX_BYTES") or 2_000_000),
        "IVR_RECORDING_BUDGET_S": float(env.get("IVR_RECORDING_BUDGET_S") or 6.0),
        "IVR_SAY_VOICE": env.get("IVR_SAY_VOICE") or None,
        "IVR_PROMPTS_DIR": env.get("IVR_PROMPTS_DIR") or None,
        "IVR_ASR_MIN_CONFIDENCE": float(env.get("IVR_ASR_MIN_CONFIDENCE") or 0.5),
        "SECRET_KEY": env.get("IVR_SECRET_KEY") or None,
    }
    # Models for further locales (IVR_VOSK_MODEL_EN, ...) and reading rules (IVR_RULE_HIGH_FACTOR, ...)
    for key, value in env.items():
        if key.startswith(("IVR_VOSK_MODEL_", "IVR_RULE_")) and value:
            config[key] = value
    return config
