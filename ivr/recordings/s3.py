"""Caller audio in S3-compatible object storage: s3://bucket/prefix, through boto3.

Credentials and region come from the standard AWS variables and files (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, AWS_PROFILE, ...); a non-AWS endpoint from
IVR_STORAGE_ENDPOINT_URL, or from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, which botocore reads itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from ivr.recordings import CHUNK, RecordingsError

# A webhook has 15 s in all; a store that does not answer must fail fast, not hang the call.
TIMEOUTS = BotoConfig(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"},
                      max_pool_connections=32)  # fmt: skip
MISSING = ("404", "NoSuchKey", "NotFound")


class S3Recordings:
    def __init__(self, url: str, endpoint_url: str | None = None) -> None:
        parts = urlsplit(url)
        if not parts.netloc:
            raise RecordingsError(f"{url}: name the bucket, as s3://bucket/prefix")
        self.url, self.bucket = url, parts.netloc
        self.prefix = parts.path.strip("/") + "/" if parts.path.strip("/") else ""
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=TIMEOUTS)

    def _key(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise RecordingsError(f"recording key {key!r} is outside {self.url}")
        return self.prefix + key

    def save(self, key: str, data: bytes) -> None:
        # One PutObject is atomic: readers see the whole object or none.
        self._call(self.client.put_object, Bucket=self.bucket, Key=self._key(key), Body=data,
                   ContentType="audio/wav")  # fmt: skip

    def size(self, key: str) -> int | None:
        if _outside(key):
            return None  # no key outside the store exists in it
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise RecordingsError(f"{self.url}: {error}") from error
        except BotoCoreError as error:
            raise RecordingsError(f"{self.url}: {error}") from error
        return int(head["ContentLength"])

    def stream(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        wanted = f"bytes={start}-{'' if end is None else end}"
        got = self._call(self.client.get_object, Bucket=self.bucket, Key=self._key(key), Range=wanted)
        body = got["Body"]
        try:  # streamed as it arrives: a long recording never sits whole in memory
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def delete(self, key: str) -> bool:
        # DeleteObject succeeds for a missing key; the answer says whether there was one.
        existed = self.size(key) is not None
        self._call(self.client.delete_object, Bucket=self.bucket, Key=self._key(key))
        return existed

    def check_writable(self) -> None:
        probe = f".probe/{uuid.uuid4().hex}"
        self.save(probe, b"ok")
        self._call(self.client.delete_object, Bucket=self.bucket, Key=self._key(probe))

    def _call(self, operation, **kwargs):  # noqa: ANN001, ANN003, ANN202
        try:
            return operation(**kwargs)
        except (BotoCoreError, ClientError) as error:
            raise RecordingsError(f"{self.url}: {error}") from error


def _outside(key: str) -> bool:
    return key.startswith("/") or ".." in key.split("/")
