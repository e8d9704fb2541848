"""`ivr models` and `ivr asr`: fetch speech models and check what the engine hears."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ivr.config import Config, from_environ
from ivr.settings import ConfigError
from ivr.speech import models
from ivr.speech.recognizer import KINDS, SpeechError


def _settings() -> Config:
    try:
        return from_environ()
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


def _default_locale() -> str:
    return _settings().locale


@click.group("models")
def models_group() -> None:
    """Download and list Vosk speech models."""


@models_group.command("download")
@click.argument("locale", type=click.Choice(sorted(models.RELEASES)))
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to keep models (default: IVR_MODELS_DIR or ~/.cache/ivr/models).",
)
@click.option("--sha256", help="Expected SHA-256 of the archive, when it is not built in.")
def download_command(locale: str, directory: Path | None, sha256: str | None) -> None:
    """Fetch a locale's official small model, verify it and unpack it."""
    try:
        path = models.download(locale, directory or _settings().models_dir, sha256)
    except SpeechError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Model for {locale} at {path}. Set:")
    click.echo(f"{_variable(locale)}={path}")


def _variable(locale: str) -> str:
    """Name the setting that points a locale at its model."""
    return "IVR_VOSK_MODEL" if locale == _default_locale() else f"IVR_VOSK_MODEL_{locale.upper()}"


@models_group.command("list")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where models are kept (default: IVR_MODELS_DIR or ~/.cache/ivr/models).",
)
def list_command(directory: Path | None) -> None:
    """Show installed models and the locales that use them."""
    configured = _settings().vosk_models
    labels = {str(p): str(p) for p in models.installed(directory or _settings().models_dir)}
    labels.update({p: f"{p} (package vosk-model-{loc})" for loc, p in models.bundled_models().items()})
    labels.update(
        {p: p if Path(p).is_dir() else f"{p} (missing)" for p in configured.values() if p not in labels}
    )
    if not labels:
        click.echo("No models installed. Try: ivr models download ru")
    shown = set()
    for path, label in labels.items():
        real = os.path.realpath(path)
        if real in shown:
            continue
        shown.add(real)
        used = [f"{loc} ({_variable(loc)})" for loc, p in configured.items() if os.path.realpath(p) == real]
        click.echo(f"{label}\t{', '.join(used) or 'not used'}")


@click.command("asr")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False),
    help="Model directory (default: the one configured for the locale).",
)
@click.option("--locale", default=_default_locale, show_default="IVR_LOCALE or ru")
@click.option("--kind", type=click.Choice(KINDS), default="digits", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file.")
def asr_command(files: tuple[str, ...], model_dir: str | None, locale: str, kind: str, as_json: bool) -> None:
    """Print what the engine hears in each WAV file, and what it means."""
    from ivr.speech.engine import VoskRecognizer, load_model
    from ivr.speech.service import Speech

    model_dir = model_dir or {**models.bundled_models(), **_settings().vosk_models}.get(locale)
    if not model_dir:
        raise click.ClickException(f"no model for {locale}: pass --model or set {_variable(locale)}")
    settings = _settings()
    try:
        recognizer = VoskRecognizer(load_model(model_dir), locale)
    except SpeechError as error:
        raise click.ClickException(str(error)) from error
    speech = Speech({locale: recognizer}, settings.asr_min_confidence, settings.asr_min_margin)
    failed = False
    for name in files:
        heard = speech.hear(Path(name).read_bytes(), kind, locale)
        failed |= heard.error is not None
        row = {"file": name, "text": heard.text, "value": heard.value,
               "confidence": round(heard.confidence, 3), "margin": _round(heard.margin),
               "seconds": round(heard.seconds, 3), "error": heard.error}  # fmt: skip
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        elif heard.error:
            click.echo(f"{name}: error: {heard.error}")
        else:
            click.echo(
                f"{name}: text={heard.text!r} value={heard.value!r} confidence={heard.confidence:.2f} "
                f"margin={_round(heard.margin, 2)} seconds={heard.seconds:.3f}"
            )
    if failed:
        raise SystemExit(1)


def _round(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)
