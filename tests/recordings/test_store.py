"""The recordings store, on a folder and on an S3-compatible server: the same behaviour from both."""

from __future__ import annotations

import pytest

from ivr import recordings
from ivr.recordings import RecordingsError, open_store
from ivr.recordings.files import FileRecordings

AUDIO = bytes(range(256)) * 1000  # 256,000 bytes: several stream chunks


@pytest.fixture(params=["file", "s3"])
def store(request, tmp_path) -> recordings.Recordings:
    if request.param == "file":
        return open_store((tmp_path / "recordings").as_uri())
    s3 = request.getfixturevalue("s3")
    return open_store(s3["IVR_RECORDINGS_URL"], s3["IVR_STORAGE_ENDPOINT_URL"])


def test_saved_audio_reads_back_whole_and_by_range(store):
    store.save("CA1/1.wav", AUDIO)
    assert store.size("CA1/1.wav") == len(AUDIO)
    assert b"".join(store.stream("CA1/1.wav")) == AUDIO
    assert b"".join(store.stream("CA1/1.wav", 100, 199)) == AUDIO[100:200]
    assert b"".join(store.stream("CA1/1.wav", 200_000)) == AUDIO[200_000:]
    assert recordings.read(store, "CA1/1.wav") == AUDIO


def test_a_second_save_replaces_the_first(store):
    store.save("CA1/1.wav", b"old")
    store.save("CA1/1.wav", b"new audio")
    assert recordings.read(store, "CA1/1.wav") == b"new audio"


def test_missing_audio_has_no_size_and_reads_as_none(store):
    assert store.size("CA1/9.wav") is None
    assert recordings.read(store, "CA1/9.wav") is None


def test_delete_says_whether_there_was_audio(store):
    store.save("CA1/1.wav", AUDIO)
    assert store.delete("CA1/1.wav") is True
    assert store.size("CA1/1.wav") is None
    assert store.delete("CA1/1.wav") is False


def test_keys_that_climb_out_of_the_store_are_refused(store):
    with pytest.raises(RecordingsError):
        store.save("../outside.wav", b"x")
    assert store.size("../../etc/passwd") is None


def test_a_writable_store_passes_the_check_and_keeps_no_probe(store):
    store.check_writable()
    store.save("CA1/1.wav", b"x")
    assert store.size("CA1/1.wav") == 1  # the probe took nothing else with it


def test_file_store_leaves_no_partial_files(tmp_path):
    store = FileRecordings((tmp_path / "rec").as_uri())
    store.save("CA1/1.wav", AUDIO)
    assert [p.name for p in (tmp_path / "rec" / "CA1").iterdir()] == ["1.wav"]


def test_file_store_reads_an_absolute_path_an_older_version_wrote_inside_it(tmp_path):
    store = FileRecordings((tmp_path / "rec").as_uri())
    store.save("CA1/1.wav", b"audio")
    assert store.size(str(tmp_path / "rec" / "CA1" / "1.wav")) == 5


def test_a_read_only_folder_fails_the_writable_check(tmp_path):
    (tmp_path / "ro").mkdir(mode=0o500)
    store = FileRecordings((tmp_path / "ro").as_uri())
    try:
        if store.root.stat().st_uid == 0:
            pytest.skip("root writes into read-only folders")
        with pytest.raises(RecordingsError, match="not writable"):
            store.check_writable()
    finally:
        (tmp_path / "ro").chmod(0o700)


def test_a_missing_bucket_fails_the_writable_check(s3):
    store = open_store("s3://no-such-bucket-here/x", s3["IVR_STORAGE_ENDPOINT_URL"])
    with pytest.raises(RecordingsError):
        store.check_writable()


def test_the_stored_objects_sit_under_the_prefix(s3):
    import boto3

    store = open_store(s3["IVR_RECORDINGS_URL"], s3["IVR_STORAGE_ENDPOINT_URL"])
    store.save("CA1/1.wav", b"audio")
    bucket = s3["IVR_RECORDINGS_URL"].removeprefix("s3://").split("/")[0]
    listed = boto3.client("s3", endpoint_url=s3["IVR_STORAGE_ENDPOINT_URL"]).list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in listed["Contents"]] == ["hotline/CA1/1.wav"]


def test_audio_streams_in_chunks_never_whole(store):
    store.save("CA1/1.wav", AUDIO)
    chunks = list(store.stream("CA1/1.wav"))
    assert len(chunks) >= 4 and max(map(len, chunks)) <= recordings.CHUNK
