"""The audio worklets in a real Chromium, on a page of ours, with Chromium's fake microphone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPTURE = """
async () => {
  const { startCapture } = await import("/static/frontend/js/audio/capture.js");
  const chunks = [];
  const mic = await startCapture({ onChunk: (pcm, rate) => chunks.push({ pcm, rate }) });
  await new Promise((r) => setTimeout(r, 1000));
  const live = chunks.length;
  mic.setMuted(true);
  await new Promise((r) => setTimeout(r, 150));  // let chunks already posted arrive
  const atMute = chunks.length;
  await new Promise((r) => setTimeout(r, 400));
  const whileMuted = chunks.length - atMute;
  mic.setMuted(false);
  await new Promise((r) => setTimeout(r, 400));
  const afterUnmute = chunks.length - atMute - whileMuted;
  const sampleRate = mic.sampleRate;
  await mic.stop();
  let sum = 0, n = 0;
  for (const { pcm } of chunks.slice(0, live)) for (const s of pcm) { sum += (s / 32768) ** 2; n++; }
  return {
    sampleRate, live, whileMuted, afterUnmute,
    rates: [...new Set(chunks.map((c) => c.rate))],
    lengths: [...new Set(chunks.map((c) => c.pcm.length))],
    isInt16: chunks[0].pcm instanceof Int16Array,
    rms: Math.sqrt(sum / n),
  };
}
"""


def test_it_captures_pcm16_chunks_at_the_contexts_real_rate(page_factory: Callable[[], Any],
                                                            platform_url: str) -> None:
    page = page_factory()
    page.goto("/login/")
    result = page.evaluate(CAPTURE)
    assert result["isInt16"]
    assert result["rates"] == [result["sampleRate"]], "every chunk declares the context's real rate"
    assert result["sampleRate"] in (44100, 48000)
    assert result["lengths"] == [round(result["sampleRate"] * 0.02)], "20 ms chunks"
    assert result["live"] >= 10, f"about 50 chunks a second expected, got {result['live']} in 1 s"
    assert result["rms"] > 0.01, "the fake microphone's tone must come through, not silence"
    assert result["whileMuted"] == 0, "a muted microphone sends nothing (not even silence)"
    assert result["afterUnmute"] > 0
    assert page.js_errors == []


PLAYBACK = """
async () => {
  const { createPlayer } = await import("/static/frontend/js/audio/playback.js");
  const { float32ToInt16, int16ToBase64 } = await import("/static/frontend/js/audio/pcm.js");
  const states = [];
  const player = await createPlayer({ onState: (s) => states.push(s) });
  const rate = 16000;
  const tone = new Float32Array(rate * 2).map((_, i) => 0.3 * Math.sin(2 * Math.PI * 440 * i / rate));
  const pcm = float32ToInt16(tone);
  // Two seconds as 100 ms base64 chunks, as audio deltas arrive.
  for (let i = 0; i < pcm.length; i += rate / 10) player.enqueue(int16ToBase64(pcm.subarray(i, i + rate / 10)), rate, "item-1");
  const first = await player.status();
  const queuedAtStart = first.queuedSamples + first.playedSamples;
  await new Promise((r) => setTimeout(r, 300));
  const playing = await player.status();
  const flushed = await player.flush();
  await new Promise((r) => setTimeout(r, 200));
  const after = await player.status();
  const result = {
    contextRate: player.sampleRate, queuedAtStart, playing, flushed, after, states,
    playedMs: player.playedMs("item-1"),
  };
  await player.close();
  return result;
}
"""


def test_it_plays_queued_audio_and_flush_empties_the_queue_at_once(page_factory: Callable[[], Any],
                                                                    platform_url: str) -> None:
    page = page_factory()
    page.goto("/login/")
    r = page.evaluate(PLAYBACK)
    rate = r["contextRate"]
    # 2 s declared at 16 kHz, resampled to the context rate: 2 s of samples at that rate.
    assert abs(r["queuedAtStart"] - 2 * rate) <= 20
    assert r["playing"]["state"] == "playing"
    assert 0 < r["playing"]["playedSamples"] < 2 * rate
    assert r["playing"]["queuedSamples"] > 0
    assert r["flushed"]["queuedSamples"] == 0, "flush empties the queue immediately"
    assert r["flushed"]["droppedSamples"] > 0
    assert r["after"]["queuedSamples"] == 0
    assert r["after"]["state"] == "idle"
    assert r["after"]["playedSamples"] == r["flushed"]["playedSamples"], "nothing plays after a flush"
    assert r["after"]["playedByTag"]["item-1"] == r["after"]["playedSamples"]
    assert r["states"][:2] == ["playing", "idle"]
    assert 0 < r["playedMs"] < 2000, "the page knows how much of the item was heard"
    assert page.js_errors == []


RESAMPLER = """
async () => {
  const { LinearResampler } = await import("/static/frontend/js/audio/pcm.js");
  const ramp = Float32Array.from({ length: 1600 }, (_, i) => i / 1600);
  const whole = new LinearResampler(16000, 48000).process(ramp);
  const streamed = new LinearResampler(16000, 48000);
  const parts = [];
  for (let i = 0; i < ramp.length; i += 160) parts.push(...streamed.process(ramp.subarray(i, i + 160)));
  let maxDiff = 0;
  for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole[i] - parts[i]));
  return { whole: whole.length, streamed: parts.length, maxDiff };
}
"""


def test_it_resamples_a_chunked_stream_exactly_as_one_piece(page_factory: Callable[[], Any],
                                                            platform_url: str) -> None:
    page = page_factory()
    page.goto("/login/")
    r = page.evaluate(RESAMPLER)
    assert r["streamed"] == r["whole"]
    assert abs(r["whole"] - 4800) <= 3
    assert r["maxDiff"] < 1e-6, "chunk boundaries must not change the signal"
