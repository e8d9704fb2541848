"""WAV decoding: what the recogniser accepts, and clear refusals for the rest."""

import io
import struct
import wave

import pytest

from ivr.speech.audio import Audio, decode_wav
from ivr.speech.recognizer import AudioError


def pcm_wav(samples: list[int], rate: int = 8000, channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples) if width == 2 else bytes(samples))
    return out.getvalue()


def riff(*chunks: tuple[bytes, bytes]) -> bytes:
    body = b"WAVE" + b"".join(cid + struct.pack("<I", len(data)) + data + b"\0" * (len(data) % 2)
                              for cid, data in chunks)  # fmt: skip
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt(tag: int = 1, channels: int = 1, rate: int = 8000, bits: int = 16) -> tuple[bytes, bytes]:
    block = channels * bits // 8
    return b"fmt ", struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)


def test_16_bit_pcm_at_8_khz_decodes_to_its_samples():
    audio = decode_wav(pcm_wav([0, 1000, -1000, 32767], rate=8000))
    assert audio == Audio(struct.pack("<4h", 0, 1000, -1000, 32767), 8000)


def test_16_bit_pcm_at_16_khz_keeps_its_rate_and_length():
    audio = decode_wav(pcm_wav([5] * 16000, rate=16000))
    assert (audio.rate, audio.seconds) == (16000, 1.0)


def test_mu_law_expands_to_the_g711_values():
    # 0xFF and 0x7F are the two zeros; 0x80 and 0x00 the loudest positive and negative.
    audio = decode_wav(riff(fmt(tag=7, bits=8), (b"data", bytes([0xFF, 0x7F, 0x80, 0x00, 0xF0]))))
    assert struct.unpack("<5h", audio.pcm) == (0, 0, 32124, -32124, 120)


def test_extensible_format_is_read_through_to_its_pcm_sub_format():
    tag, channels, rate, byte_rate, block, bits = 0xFFFE, 1, 16000, 32000, 2, 16
    extensible = struct.pack("<HHIIHHHHI", tag, channels, rate, byte_rate, block, bits, 22, 16, 4)
    extensible += struct.pack("<H", 1) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    audio = decode_wav(riff((b"fmt ", extensible), (b"data", struct.pack("<2h", 7, -7))))
    assert audio == Audio(struct.pack("<2h", 7, -7), 16000)


def test_chunks_before_fmt_and_odd_sized_chunks_are_skipped():
    data = riff((b"LIST", b"abc"), fmt(), (b"fact", b"\0" * 4), (b"data", struct.pack("<h", 42)))
    assert decode_wav(data).pcm == struct.pack("<h", 42)


def test_a_trailing_half_sample_is_dropped():
    assert decode_wav(riff(fmt(), (b"data", struct.pack("<h", 1) + b"\x07"))).pcm == struct.pack("<h", 1)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not a WAV file"),
        (b"ID3\x04 this is an mp3", "not a WAV file"),
        (b"<Response><Say>hi</Say></Response>", "not a WAV file"),
        (b"RIFF\x10\x00\x00\x00AVI LIST", "not a WAV file"),
        (riff((b"data", b"\0\0")), "no fmt chunk"),
        (riff(fmt()), "truncated WAV: no data chunk"),
        (riff((b"fmt ", b"\x01\x00")), "fmt chunk too short"),
        (riff(fmt(), (b"data", b"")), "empty audio"),
    ],
)
def test_bodies_that_are_not_usable_wavs_are_refused_with_a_reason(body, message):
    with pytest.raises(AudioError, match=message):
        decode_wav(body)


def test_a_wav_cut_short_in_its_data_is_refused_as_truncated():
    whole = pcm_wav([100] * 800)
    with pytest.raises(AudioError, match="truncated WAV: b'data' chunk declares 1600 bytes, has 1000"):
        decode_wav(whole[:-600])


def test_a_wav_cut_inside_its_header_is_refused():
    with pytest.raises(AudioError, match="no fmt chunk|truncated"):
        decode_wav(pcm_wav([1, 2, 3])[:20])


@pytest.mark.parametrize(
    ("wav", "message"),
    [
        (pcm_wav([0, 0], channels=2), "2 channels, need mono"),
        (pcm_wav([0], rate=44100), "44100 Hz, need 8000 or 16000 Hz"),
        (pcm_wav([128, 128], width=1), "format 1 at 8 bits"),
        (riff(fmt(tag=3, bits=32), (b"data", b"\0" * 8)), "format 3 at 32 bits"),
        (riff(fmt(tag=6, bits=8), (b"data", b"\0" * 8)), "format 6 at 8 bits"),
    ],
)
def test_formats_other_than_mono_pcm_or_mu_law_at_8_or_16_khz_are_refused(wav, message):
    with pytest.raises(AudioError, match=f"unsupported WAV: {message}"):
        decode_wav(wav)


def test_audio_longer_than_the_cap_is_refused():
    with pytest.raises(AudioError, match=r"audio too long: 3\.0 s, the cap is 2 s"):
        decode_wav(pcm_wav([0] * 24000), max_seconds=2)


def test_speech_like_rise_and_fall_has_a_wide_dynamic_range_and_steady_sound_a_narrow_one():
    quiet, loud = [3, -3] * 800, [12000, -12000] * 800
    assert decode_wav(pcm_wav(quiet + loud + quiet)).dynamic_range() > 60
    assert decode_wav(pcm_wav(loud * 3)).dynamic_range() < 1
    assert decode_wav(pcm_wav([5] * 100)).dynamic_range() == 0.0  # shorter than one frame
