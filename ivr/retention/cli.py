"""`ivr retention run`: for cron or a systemd timer, on any node; runs on other nodes wait their turn."""

from __future__ import annotations

import click


@click.group("retention")
def retention_group() -> None:
    """Delete old caller audio and pseudonymise old callers' numbers (IVR_RETAIN_*)."""


@retention_group.command("run")
def retention_run() -> None:
    """One retention run; the counts go to the audit trail and to stdout."""
    from ivr import recordings, retention
    from ivr.cli_app import app_context

    with app_context() as rt:
        if rt.config.retain_audio_days is None and rt.config.retain_caller_days is None:
            click.echo(
                "retention: IVR_RETAIN_AUDIO_DAYS and IVR_RETAIN_CALLER_DAYS are unset: everything is kept"
            )
            return
        counts = retention.run(rt.sessions, rt.config, recordings.store(rt.config), rt.clock)
    if counts is None:
        click.echo("retention: another run holds the lock; this one did nothing")
    else:
        click.echo(f"retention: {counts}")
        if counts.failed:
            raise SystemExit(1)  # some audio could not be deleted: cron should say so
