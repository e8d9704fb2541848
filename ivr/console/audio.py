"""Caller audio for the console: from the recordings store, with byte ranges so a browser can seek."""

from __future__ import annotations

from flask import abort, request
from werkzeug.wrappers import Response

from ivr import recordings
from ivr.console.blueprint import ROW_ID, routes
from ivr.console.parts import ConsoleParts
from ivr.store.models import Turn

WAV_HEADER = 44


def audible(store: recordings.Recordings, turn: Turn | None) -> bool:
    """Whether a turn has audio to play: a WAV with sound in it, still in the store."""
    if turn is None or not turn.recording_path or turn.recording_removed_at:
        return False
    try:
        if (store.size(turn.recording_path) or 0) <= WAV_HEADER:  # a header alone plays as 0:00
            return False
        head = b"".join(store.stream(turn.recording_path, 0, 11))
    except recordings.RecordingsError:
        return False
    return head[:4] == b"RIFF" and head[8:12] == b"WAVE"


@routes.get(f"/audio/<{ROW_ID}:turn_id>.wav")
def audio(parts: ConsoleParts, turn_id: int) -> Response:
    """Stream what the caller said in one turn, to logged-in users only; one Range is honoured."""
    turn = parts.session().get(Turn, turn_id) or abort(404)
    store = parts.recordings()
    if not audible(store, turn):
        abort(404)
    size = store.size(turn.recording_path) or abort(404)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "no-store"}
    # An absent, malformed, multi-part or non-byte Range is ignored (RFC 9110): the whole file, 200.
    wanted = request.range
    if wanted is not None and (wanted.units != "bytes" or len(wanted.ranges) != 1):
        wanted = None
    if wanted is None:
        first, last, status = 0, size - 1, 200
    else:
        span = wanted.range_for_length(size)
        if span is None:
            return Response(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        first, last, status = span[0], span[1] - 1, 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    body = store.stream(turn.recording_path, first, last)
    headers["Content-Length"] = str(last - first + 1)
    return Response(body, status=status, mimetype="audio/wav", headers=headers, direct_passthrough=True)
