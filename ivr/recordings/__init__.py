"""Caller audio, kept in a folder or in S3-compatible object storage (IVR_RECORDINGS_URL).

Every part that writes or reads caller audio goes through one `Recordings` store. A key is the
path of one turn's audio relative to the store, e.g. `CA123/2.wav`; it is what Turn.recording_path holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ivr.config import Config

CHUNK = 64 * 1024


class RecordingsError(OSError):
    """The store cannot be reached, or refuses the operation."""


class Recordings(Protocol):
    """Where caller audio lives. Writes are atomic: a reader sees the old bytes or the new, never half."""

    url: str  # where, for messages: file:///path or s3://bucket/prefix

    def save(self, key: str, data: bytes) -> None: ...

    def size(self, key: str) -> int | None:
        """The object's size in bytes; None when there is none."""

    def stream(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes start..end (inclusive; None: to the end) in chunks, never the whole object at once."""

    def delete(self, key: str) -> bool:
        """Remove the object; False when there was none."""

    def check_writable(self) -> None:
        """Write, read back and remove a probe; raise RecordingsError when that fails."""


def turn_key(sid: str, seq: int) -> str:
    """The key of one turn's audio: <CallSid>/<seq>.wav, the CallSid reduced to letters and digits."""
    safe_sid = "".join(c for c in sid if c.isalnum())[:64] or "unknown"
    return f"{safe_sid}/{seq}.wav"


def read(store: Recordings, key: str) -> bytes | None:
    """The whole object, for the small things that need it whole (an export); None when missing."""
    if store.size(key) is None:
        return None
    return b"".join(store.stream(key))


def store(config: Config) -> Recordings:
    """The store the settings name (IVR_RECORDINGS_URL, IVR_STORAGE_ENDPOINT_URL)."""
    return open_store(config.recordings_url, config.storage_endpoint_url)


def open_store(url: str, endpoint_url: str | None = None) -> Recordings:
    """The store a URL names; one per URL and process, so S3 clients and their pools are shared."""
    return _open(url, endpoint_url)


@lru_cache(maxsize=8)
def _open(url: str, endpoint_url: str | None) -> Recordings:
    if url.startswith("s3://"):
        from ivr.recordings.s3 import S3Recordings  # boto3 loads only when S3 is used

        return S3Recordings(url, endpoint_url)
    from ivr.recordings.files import FileRecordings

    return FileRecordings(url)
