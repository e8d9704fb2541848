"""Caller audio in a local or mounted folder: file:///path."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ivr.recordings import CHUNK, RecordingsError


class FileRecordings:
    def __init__(self, url: str) -> None:
        self.url = url
        self.root = Path(unquote(urlsplit(url).path)).resolve()

    def _path(self, key: str) -> Path:
        # Keys come from the database; one that climbs out of the folder is refused, not followed.
        # An absolute path written by an older version is read when it is inside the folder.
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise RecordingsError(f"recording key {key!r} is outside {self.url}")
        return path

    def save(self, key: str, data: bytes) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed in the same folder: a reader never sees half a file, and a
        # duplicate delivery of the same answer writing at the same moment cannot tear it.
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as partial:
            partial.write(data)
        os.replace(partial.name, target)

    def size(self, key: str) -> int | None:
        try:
            path = self._path(key)
            return path.stat().st_size if path.is_file() else None
        except RecordingsError:
            return None

    def stream(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        with self._path(key).open("rb") as f:
            f.seek(start)
            left = None if end is None else end - start + 1
            while left is None or left > 0:
                chunk = f.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def delete(self, key: str) -> bool:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    def check_writable(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, suffix=".probe") as probe:
                probe.write(b"ok")
                probe.flush()
        except OSError as error:
            raise RecordingsError(f"{self.url} is not writable: {error.strerror or error}") from error
