"""The streaming resampler and the energy VAD."""

from __future__ import annotations

import numpy as np
import pytest

from agents.realtime.audio import EnergyVad, StreamingResampler
from tests.realtime.helpers import silence_pcm, tone_pcm


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def _random_chunks(pcm: bytes, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    chunks, i = [], 0
    while i < len(pcm):
        n = int(rng.integers(1, 1500)) * 2
        chunks.append(pcm[i:i + n])
        i += n
    return chunks


@pytest.mark.parametrize(("src", "dst"), [(16000, 24000), (8000, 24000), (48000, 16000), (44100, 24000),
                                          (24000, 16000), (48000, 24000)])
def test_it_resamples_random_chunks_exactly_like_the_whole_stream(src: int, dst: int) -> None:
    pcm = tone_pcm(2000, src, hz=440)
    whole = StreamingResampler(src, dst).process(pcm)
    streamed = StreamingResampler(src, dst)
    pieces = b"".join(streamed.process(chunk) for chunk in _random_chunks(pcm, seed=src + dst))
    assert len(pieces) == len(whole)
    assert np.max(np.abs(_samples(pieces) - _samples(whole))) <= 1  # rounding only: no edge clicks
    expected = len(pcm) // 2 * dst / src
    # no drift: only the outputs past the last input sample wait for the next chunk
    assert abs(len(whole) // 2 - expected) <= max(2, dst / src + 1)


def test_it_keeps_the_tone_and_has_no_clicks_at_chunk_edges() -> None:
    src, dst = 16000, 24000
    resampler = StreamingResampler(src, dst)
    out = _samples(b"".join(resampler.process(f) for f in _random_chunks(tone_pcm(1000, src, hz=440), 7)))
    reference = 0.3 * 32767 * np.sin(2 * np.pi * 440 * np.arange(len(out)) / dst)
    # Linear interpolation of a 440 Hz tone at 16 kHz is within ~1% of the true curve everywhere.
    assert np.max(np.abs(out - reference)) < 0.01 * 32767
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * dst / len(out) - 440) < 2


@pytest.mark.parametrize(("src", "dst", "above"), [(48000, 16000, 15000), (24000, 16000, 10000),
                                                   (44100, 24000, 16000)])
def test_it_filters_what_the_lower_rate_cannot_carry_when_downsampling(src: int, dst: int, above: int) -> None:
    # A tone above the new Nyquist frequency (15 kHz at 48 kHz, say) aliases into the audible band at the
    # lower rate unless it is low-passed first. One integer ratio, one with two phases, one with 80.
    out = _samples(StreamingResampler(src, dst).process(tone_pcm(500, src, hz=above)))
    in_band = _samples(StreamingResampler(src, dst).process(tone_pcm(500, src, hz=1000)))
    assert np.sqrt(np.mean(out[100:] ** 2)) < 0.02 * np.sqrt(np.mean(in_band[100:] ** 2))
    # and the pass band keeps its level
    assert abs(np.sqrt(np.mean(in_band[100:] ** 2)) / (0.3 * 32767 / np.sqrt(2)) - 1) < 0.02


def test_it_detects_speech_with_stream_timestamps() -> None:
    rate = 16000
    vad = EnergyVad(rate, threshold=0.5, silence_ms=300)
    audio = silence_pcm(400, rate) + tone_pcm(1000, rate) + silence_pcm(600, rate)
    events = [e for chunk in _random_chunks(audio, 3) for e in vad.feed(chunk)]
    assert [(e.kind, e.at_ms) for e in events] == [("start", 400), ("end", 1400)]
    assert vad.position_ms == 2000


def test_it_ignores_quiet_noise() -> None:
    vad = EnergyVad(16000, threshold=0.5)
    assert vad.feed(tone_pcm(2000, 16000, amplitude=0.005)) == []


@pytest.mark.parametrize("chunk_ms", [60, 20])  # several frames at once, and the one-frame fast path
@pytest.mark.parametrize(("level", "speech"), [(656, True), (655, False)])
def test_the_threshold_is_the_documented_rms(level: int, speech: bool, chunk_ms: int) -> None:
    # threshold 0.5 is RMS 0.02 of full scale: 655.36 in int16 units. A square wave's RMS is its level.
    vad = EnergyVad(16000, threshold=0.5)
    square = np.tile(np.array([level, -level], dtype="<i2"), 16000 * 60 // 1000 // 2).tobytes()
    step = 16000 * chunk_ms // 1000 * 2
    events = [e for i in range(0, len(square), step) for e in vad.feed(square[i:i + step])]
    assert [e.kind for e in events] == (["start"] if speech else [])


def test_frame_sized_chunks_give_the_same_events_as_any_other_cut() -> None:
    rate = 16000
    rng = np.random.default_rng(5)
    # speech-like bursts of noise at random levels around the threshold, with pauses between them
    audio = b"".join(tone_pcm(int(rng.integers(60, 400)), rate, amplitude=float(rng.uniform(0.005, 0.05)))
                     + silence_pcm(int(rng.integers(100, 700)), rate) for _ in range(40))
    frame = rate * EnergyVad.FRAME_MS // 1000 * 2

    def events(chunks: list[bytes]) -> list[tuple[str, int]]:
        vad = EnergyVad(rate, threshold=0.5, silence_ms=300)
        return [(e.kind, e.at_ms) for chunk in chunks for e in vad.feed(chunk)]

    by_frame = events([audio[i:i + frame] for i in range(0, len(audio), frame)])
    assert len(by_frame) > 10
    assert by_frame == events([audio]) == events(_random_chunks(audio, 11))
