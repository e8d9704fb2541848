"""`ivr streams serve`: the media streams' own process, beside gunicorn's webhooks."""

from __future__ import annotations

import asyncio

import click


@click.group("streams")
def streams_group() -> None:
    """The media streams of IVR_LISTEN=stream."""


@streams_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve /twilio/stream on one asyncio loop: the proxy sends the path here, the rest to gunicorn.

    It also answers /healthz and, like the app, /metrics with its own counts (the streams, the
    answers heard, the end-of-speech latency). SIGTERM ends it; calls that were streaming go on
    with <Record> from their next question.
    """
    from ivr import create_app
    from ivr.runtime import runtime
    from ivr.settings import ConfigError
    from ivr.store.migrate import check_ready
    from ivr.telephony.signature import stream_url
    from ivr.telephony.sockets import serve_streams

    app = create_app()
    config = runtime(app).config
    if config.listen != "stream":
        raise ConfigError("IVR_LISTEN: `ivr streams serve` needs stream")
    with app.app_context():
        check_ready()
    click.echo(
        f"media streams: ws://{host}:{port}/twilio/stream (Twilio is given {stream_url(config.public_url)})"
    )
    asyncio.run(serve_streams(app, host, port))
