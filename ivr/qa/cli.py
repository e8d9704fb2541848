"""`ivr simulate`, `ivr replay` and `ivr calls export`."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click

from ivr.qa.cases import CaseError, find_cases, load_case
from ivr.qa.recordings import LocalRecordings

# Heavier modules (the app, the speech engine) are imported inside the commands, so that
# `ivr --help` and the other commands stay quick.


def _token() -> str | None:
    from ivr.config import from_environ

    return from_environ().auth_token


def _quiet() -> None:
    # The table is the report; the app's warnings (no model for the default locale, ...) would
    # interleave with it. Errors still show.
    logging.getLogger("ivr").setLevel(logging.ERROR)


@click.command("replay")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--url", help="Replay against a running server (signed with TWILIO_AUTH_TOKEN).")
@click.option("-j", "--jobs", default=1, show_default=True, help="Cases run in parallel.")
@click.option("--junit", type=click.Path(dir_okay=False), help="Write JUnit XML here.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write JSON results here.")
@click.option("--compare", type=click.Path(exists=True, dir_okay=False),
              help="Show what changed against an earlier --json report.")  # fmt: skip
@click.option("--concurrency", type=int, help="Load mode: calls at once, repeating the cases (needs --url).")
@click.option("--duration", default=30.0, show_default=True, help="Load mode: seconds to run.")
@click.option("--max-calls", type=int, help="Load mode: calls at most (default 100000).")
@click.option("--think", default=0.0, show_default=True,
              help="Load mode: seconds a caller listens before each answer.")  # fmt: skip
@click.option(
    "--recordings-port", default=0, help="Serve caller audio on this loopback port (default: any free)."
)
@click.option(
    "--listen",
    type=click.Choice(["record", "stream"]),
    default="record",
    show_default=True,
    help="stream: voice turns are spoken over a Twilio Media Stream (the server needs IVR_LISTEN=stream).",
)
@click.option(
    "--speed",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.5, 50),
    help="With --listen stream: how much faster than real time the caller's audio is sent.",
)
@click.option(
    "--api-port",
    default=0,
    help="With --listen stream and --url: the emulated Twilio REST API's "
    "loopback port (default: any free; the server's IVR_TWILIO_API_URL must point at it).",
)
@click.option(
    "--bot-api-port",
    default=0,
    help="With --url: the Telegram Bot API stand-in's loopback port, where Telegram cases read the bot's "
    "replies (default: any free; the server's IVR_TELEGRAM_API_URL must point at it).",
)
@click.option("-q", "--quiet", is_flag=True, help="One line per case; turns only for failures' messages.")
def replay_command(
    paths,
    url,
    jobs,
    junit,
    json_path,
    compare,
    concurrency,
    duration,
    max_calls,
    think,
    recordings_port,
    listen,
    speed,
    api_port,
    bot_api_port,
    quiet,
) -> None:  # noqa: ANN001 fmt: skip
    """Replay test-call cases (files or folders of YAML) and report per case and turn."""
    try:
        cases = [load_case(p) for p in find_cases(list(paths))]
    except CaseError as error:
        raise click.UsageError(str(error)) from error
    _quiet()
    if concurrency and not url:
        raise click.UsageError("load mode (--concurrency) needs --url of a loopback server")
    if url and not _token():
        click.echo("TWILIO_AUTH_TOKEN is not set: requests go unsigned, and a server that checks "
                   "signatures answers 403", err=True)  # fmt: skip
    if concurrency and listen == "stream":
        raise click.UsageError("load mode replays on <Record>; benchmarks/stream.py loads streamed calls")
    if concurrency:
        with _audio(recordings_port, cases, url) as recordings:
            _load(cases, url, recordings, think, concurrency, duration, max_calls)
    else:
        streamed = {"speed": speed, "api_port": api_port} if listen == "stream" else None
        _replay(cases, url, recordings_port, jobs, junit, json_path, compare, quiet, streamed, bot_api_port)


@contextmanager
def _audio(port: int, cases, url: str | None) -> Iterator[LocalRecordings]:  # noqa: ANN001
    """Serve the callers' audio; tell where, when a server elsewhere must be allowed to fetch it."""
    with LocalRecordings(port) as recordings:
        if url and any(c.uses("say") for c in cases):
            click.echo(f"caller audio is served from {recordings.prefix}: the server must allow it "
                       "in IVR_RECORDING_URL_PREFIXES", err=True)  # fmt: skip
        yield recordings


@contextmanager
def _bot_api(port: int, cases) -> Iterator[object]:  # noqa: ANN001
    """For Telegram cases against a server: the Bot API stand-in its replies go to, with its bot's token."""
    if not any(c.telegram for c in cases):
        yield None
        return
    from ivr.config import from_environ
    from ivr.qa.bot_api import BotApi

    with BotApi(from_environ().telegram.bot_token or "", port) as bot:
        click.echo(f"Telegram replies are read at {bot.url}: the server's IVR_TELEGRAM_API_URL must point "
                   "there, with this IVR_TELEGRAM_BOT_TOKEN and IVR_TELEGRAM_SECRET", err=True)  # fmt: skip
        yield bot


def _run(cases, url, port, jobs, progress, streamed, bot_api_port=0) -> list:  # noqa: ANN001
    """Replay against the URL on threads, or in-process: on processes when more than one job."""
    from ivr.qa.replay import run_cases
    from ivr.qa.targets import InProcess, Remote
    from ivr.qa.workers import run_in_processes

    if not url and jobs > 1:
        return run_in_processes(cases, jobs, progress, streamed and streamed["speed"])
    with _audio(port, cases, url) as recordings:
        if url and streamed:
            from ivr.qa.streamed import replay_remote

            return replay_remote(cases, url, recordings, jobs, progress, streamed, click.echo)
        if url:
            with _bot_api(bot_api_port, cases) as bot:
                return run_cases(cases, Remote(url, recordings, bot=bot), jobs, progress)
        target = _streamed_in_process(recordings, streamed["speed"]) if streamed else InProcess(recordings)
        try:
            return run_cases(cases, target, 1, progress)
        finally:
            target.close()


def _streamed_in_process(recordings, speed):  # noqa: ANN001, ANN202
    from ivr.qa.streamed import StreamedInProcess

    return StreamedInProcess(recordings, speed)


def _replay(cases, url, port, jobs, junit, json_path, compare, quiet, streamed=None, bot_api_port=0) -> None:  # noqa: ANN001
    from tqdm import tqdm

    from ivr.qa import report

    started = time.perf_counter()
    # disable=None: a bar on a terminal only, not in CI logs
    with tqdm(total=len(cases), unit="call", file=sys.stderr, leave=False, disable=None) as bar:
        results = _run(cases, url, port, jobs, lambda _r: bar.update(), streamed, bot_api_port)
    seconds = time.perf_counter() - started
    click.echo(report.table(results, turns=not quiet))
    if compare:
        changes = report.compare(report.read_json(compare), results)
        click.echo(f"\nChanges against {compare}:")
        click.echo("\n".join(f"  {c}" for c in changes) or "  none")
    if junit:
        Path(junit).write_text(report.junit(results, seconds), encoding="utf-8")
    if json_path:
        Path(json_path).write_text(report.to_json(results, seconds), encoding="utf-8")
    click.echo(report.summary(results, seconds))
    if not all(r.passed or r.skipped for r in results):
        sys.exit(1)


def _load(cases, url, recordings, think, concurrency, duration, max_calls) -> None:  # noqa: ANN001
    from ivr.qa.load import MAX_CALLS, LoadStats, LoadTarget, run_load

    target = LoadTarget(url, recordings, LoadStats(), think)
    click.echo(f"load: {concurrency} concurrent calls for up to {duration:.0f} s against {target.mode}, "
               f"think {target.think:.1f} s, {len(cases)} case(s)")  # fmt: skip
    try:
        result = run_load(cases, target, concurrency, duration, max_calls or MAX_CALLS)
    except ValueError as error:  # not loopback, or out of bounds
        raise click.UsageError(str(error)) from error
    click.echo("\n".join(result.lines()))
    if result.errors:
        sys.exit(1)


@click.command("simulate")
@click.option("--from", "caller", default="+79161234567", show_default=True, help="The caller's number.")
@click.option("--locale", help="The line's locale (default: IVR_LOCALE).")
@click.option("--keypad", is_flag=True, help="No speech on the line: the whole call on the keypad.")
@click.option(
    "--listen",
    type=click.Choice(["record", "stream"]),
    default="record",
    show_default=True,
    help="stream: wav: answers are spoken over a Twilio Media Stream to the app, served on loopback.",
)
def simulate_command(caller: str, locale: str | None, keypad: bool, listen: str) -> None:
    """Play a call in the terminal against the app on the configured database."""
    from ivr import create_app
    from ivr.config import from_environ
    from ivr.qa.hearing import QaRecognizer
    from ivr.qa.simulate import Simulator
    from ivr.runtime import runtime
    from ivr.store.migrate import upgrade

    _quiet()
    settings = from_environ()
    locale = locale or settings.locale
    with LocalRecordings() as recordings, ExitStack() as stack:
        overrides = {
            "RECOGNIZERS": {} if keypad else {locale: QaRecognizer(locale)},
            "IVR_RECORDING_URL_PREFIXES": [*map(str, settings.recording_origins), recordings.prefix],
            "IVR_DEMO": True,  # the tester's own terminal is the only caller
        }  # fmt: skip
        if listen == "stream":
            from ivr.qa.streamed import simulated_line

            streamed = simulated_line(stack, overrides)
        else:
            streamed = None
        app = create_app(overrides)
        with app.app_context():
            upgrade(runtime(app).sessions)
        call = streamed(app, caller, locale, recordings) if streamed else None
        sim = Simulator(app, caller, locale, recordings, click.echo, call)
        sim.start()
        while sim.waiting:
            try:
                typed = click.prompt("", default="", show_default=False, prompt_suffix="> ")
            except click.Abort:  # end of input: the caller hangs up
                break
            sim.answer(typed)
        sim.finish()


@click.group("calls")
def calls_group() -> None:
    """Work with stored calls."""


@calls_group.command("export")
@click.argument("call_sid")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def calls_export(call_sid: str, directory: Path) -> None:
    """Turn a stored call into a replay case in DIRECTORY, the caller pseudonymised."""
    from flask import current_app

    from ivr import recordings
    from ivr.cli_app import app_context
    from ivr.qa.export import ExportError, export_call
    from ivr.store.database import transaction

    with app_context() as rt, transaction(rt.sessions) as s:
        config = rt.config
        try:
            path = export_call(s, call_sid, recordings.store(config), directory, current_app.config["SECRET_KEY"],
                               config.operator_number, lambda line: click.echo(line, err=True))  # fmt: skip
        except ExportError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"wrote {path}; replay it with: ivr replay {path}")
