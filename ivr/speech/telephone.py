"""Telephone audio as the caller's stream carries it: G.711 mu-law at 8 kHz, in 20 ms frames.

audioop ships with Python 3.11 and 3.12; from 3.13 the audioop-lts package provides the same
module, so every use of it stays in this file.
"""

from __future__ import annotations

import io
import warnings
import wave

import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

RATE = 8000
FRAME_BYTES = 320  # 20 ms of 16-bit PCM
LOW, HIGH = 20, 160  # pitch lags in samples: 400 Hz down to 50 Hz
_WINDOW = np.hanning(320)


def ulaw_to_pcm(ulaw: bytes) -> bytes:
    """Expand G.711 mu-law bytes to 16-bit little-endian PCM."""
    return audioop.ulaw2lin(ulaw, 2)


def pcm_to_ulaw(pcm: bytes) -> bytes:
    """Compress 16-bit PCM to G.711 mu-law, as the phone network carries it."""
    return audioop.lin2ulaw(pcm, 2)


def to_8k(pcm: bytes, rate: int) -> bytes:
    """Resample 16-bit mono PCM to 8 kHz."""
    return pcm if rate == RATE else audioop.ratecv(pcm, 2, 1, rate, RATE, None)[0]


def level_db(frame: bytes) -> float:
    """The frame's loudness, in dB over one quantisation step."""
    return 20 * float(np.log10(1 + audioop.rms(frame, 2)))


def voiced(window: bytes) -> bool:
    """Say whether 40 ms of audio is voiced speech rather than noise or a tone.

    Measured on espeak-ng Korean words over a quiet line against 0.4 s bursts of white, pink and
    brown noise and DTMF tones (2026-11-28): with the audio high-passed as a phone line is, the
    normalised autocorrelation at a pitch lag passes 0.6 in 40-79 % of speech frames and in no
    noise frame (noise peaks at 0.47). Tones repeat too, but hold over 95 % of their energy in
    two spectral peaks, where speech held at most 84 %.
    """
    x = np.frombuffer(window, dtype="<i2").astype(np.float64)
    if len(x) < 2 * HIGH:
        return False
    x = np.append(x[0] * 0.1, x[1:] - 0.9 * x[:-1])  # the line carries no bass
    x -= x.mean()
    head = x[:HIGH]
    energy = np.concatenate(([0.0], np.cumsum(x * x)))
    lags = np.arange(LOW, HIGH + 1)
    shifted = energy[lags + HIGH] - energy[lags]
    products = np.correlate(x[: 2 * HIGH], head, "valid")[LOW : HIGH + 1]
    periodic = float((products / (np.sqrt((head @ head) * shifted) + 1e-9)).max())
    return periodic > 0.6 and _tonal_share(window) < 0.95


def _tonal_share(window: bytes) -> float:
    """The share of the energy in the two strongest spectral peaks."""
    x = np.frombuffer(window, dtype="<i2").astype(np.float64)[: len(_WINDOW)]
    power = np.abs(np.fft.rfft((x - x.mean()) * _WINDOW[: len(x)])) ** 2
    total = power.sum()
    if total <= 0:
        return 1.0
    share = 0.0
    for _ in range(2):
        peak = int(power.argmax())
        share += power[max(0, peak - 2) : peak + 3].sum()
        power[max(0, peak - 2) : peak + 3] = 0
    return float(share / total)


def wav(pcm: bytes, rate: int = RATE) -> bytes:
    """Wrap 16-bit mono PCM as a WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()
