"""Decode callers' WAV recordings into 16-bit mono PCM for the recogniser."""

from __future__ import annotations

import math
import struct
from array import array
from dataclasses import dataclass
from operator import mul

from ivr.speech.recognizer import AudioError

RATES = (8000, 16000)
MAX_SECONDS = 60.0

PCM, MULAW, EXTENSIBLE = 1, 7, 0xFFFE


def _mulaw_to_linear(byte: int) -> int:
    """Expand one G.711 mu-law byte to a 16-bit sample."""
    byte = ~byte & 0xFF
    magnitude = (((byte & 0x0F) << 3) + 0x84) << ((byte >> 4) & 0x07)
    return 0x84 - magnitude if byte & 0x80 else magnitude - 0x84


# audioop is deprecated (gone in 3.13), and a 256-entry table is all mu-law needs.
_MULAW = [struct.pack("<h", _mulaw_to_linear(b)) for b in range(256)]


@dataclass(frozen=True)
class Audio:
    """One utterance: 16-bit little-endian mono samples at a sample rate."""

    pcm: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate

    def dynamic_range(self) -> float:
        """Measure in dB how far the loudest 20 ms rises above the quietest tenth of the audio."""
        samples = array("h", self.pcm)  # native order: little-endian on every platform we run on
        size = self.rate // 50
        energies = sorted(
            10 * math.log10(1 + sum(map(mul, frame, frame)) / size)
            for frame in (samples[at : at + size] for at in range(0, len(samples) - size + 1, size))
        )
        return energies[-1] - energies[len(energies) // 10] if energies else 0.0


@dataclass(frozen=True)
class _Format:
    tag: int
    channels: int
    rate: int
    bits: int


def decode_wav(data: bytes, max_seconds: float = MAX_SECONDS) -> Audio:
    """Decode a mono 8 or 16 kHz WAV (16-bit PCM or 8-bit mu-law) into PCM."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("not a WAV file: no RIFF/WAVE header")
    fmt, samples = _chunks(data)
    if fmt.channels != 1:
        raise AudioError(f"unsupported WAV: {fmt.channels} channels, need mono")
    if fmt.rate not in RATES:
        raise AudioError(f"unsupported WAV: {fmt.rate} Hz, need 8000 or 16000 Hz")
    if (fmt.tag, fmt.bits) == (PCM, 16):
        pcm = samples[: len(samples) - len(samples) % 2]
    elif (fmt.tag, fmt.bits) == (MULAW, 8):
        pcm = b"".join(map(_MULAW.__getitem__, samples))
    else:
        raise AudioError(
            f"unsupported WAV: format {fmt.tag} at {fmt.bits} bits, need 16-bit PCM or 8-bit mu-law"
        )
    if not pcm:
        raise AudioError("empty audio: the WAV holds no samples")
    audio = Audio(pcm, fmt.rate)
    if audio.seconds > max_seconds:
        raise AudioError(f"audio too long: {audio.seconds:.1f} s, the cap is {max_seconds:.0f} s")
    return audio


def _chunks(data: bytes) -> tuple[_Format, bytes]:
    """Find the fmt and data chunks, in whatever order they come."""
    # The wave module of Python 3.11 refuses mu-law and WAVE_FORMAT_EXTENSIBLE, so walk RIFF here.
    fmt = samples = None
    at = 12
    while at + 8 <= len(data) and (fmt is None or samples is None):
        chunk_id, size = struct.unpack_from("<4sI", data, at)
        body = data[at + 8 : at + 8 + size]
        if len(body) < size:
            raise AudioError(f"truncated WAV: {chunk_id!r} chunk declares {size} bytes, has {len(body)}")
        if chunk_id == b"fmt ":
            fmt = _format(body)
        elif chunk_id == b"data":
            samples = body
        at += 8 + size + size % 2  # chunks are padded to an even length
    if fmt is None:
        raise AudioError("not a WAV file: no fmt chunk")
    if samples is None:
        raise AudioError("truncated WAV: no data chunk")
    return fmt, samples


def _format(body: bytes) -> _Format:
    """Read a fmt chunk, looking through WAVE_FORMAT_EXTENSIBLE to the real format."""
    if len(body) < 16:
        raise AudioError("truncated WAV: fmt chunk too short")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
    if tag == EXTENSIBLE:
        if len(body) < 26:
            raise AudioError("truncated WAV: extensible fmt chunk too short")
        (tag,) = struct.unpack_from("<H", body, 24)  # first two bytes of the sub-format GUID
    return _Format(tag, channels, rate, bits)
