"""Several agents' responses play strictly one after another through the real playback worklet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEQUENCE = """
async () => {
  const { createPlayer } = await import("/static/frontend/js/audio/playback.js");
  const { ResponseSequencer } = await import("/static/frontend/js/audio/sequencer.js");
  const { float32ToInt16, int16ToBase64 } = await import("/static/frontend/js/audio/pcm.js");
  const snapshots = [];
  const player = await createPlayer({ onProgress: (r) => snapshots.push({ ...r.playedByTag }) });
  const seq = new ResponseSequencer(player);
  const chunk = (ms, rate) => int16ToBase64(float32ToInt16(new Float32Array(rate * ms / 1000).fill(0.2)));
  const delta = (agent, response, item, rate) => ({
    type: "agent_response_audio_delta", agent_id: agent, response_id: response, item_id: item,
    delta: chunk(100, rate), format: { type: "audio/pcm", rate },
  });
  // Ada's response is created first; Grace's deltas arrive interleaved with Ada's (different rates).
  seq.created("r-ada", "ada");
  seq.created("r-grace", "grace");
  for (let i = 0; i < 4; i++) { seq.audio(delta("ada", "r-ada", "i-ada", 24000)); seq.audio(delta("grace", "r-grace", "i-grace", 16000)); }
  seq.done("r-grace");  // Grace finished sending first: she still waits for Ada
  await new Promise((r) => setTimeout(r, 150));
  seq.done("r-ada");
  // A third response whose audio_done never comes is ended by agent_response_done (no dead queue).
  seq.created("r-ada-2", "ada");
  seq.audio(delta("ada", "r-ada-2", "i-ada-2", 24000));
  seq.done("r-ada-2");
  while ((await player.status()).queuedSamples > 0) await new Promise((r) => setTimeout(r, 50));
  const final = await player.status();
  await player.close();
  return { snapshots, final: final.playedByTag, rate: final.sampleRate };
}
"""


def test_it_plays_each_response_after_the_previous_one(page_factory: Callable[[], Any], platform_url: str) -> None:
    page = page_factory()
    page.goto("/login/")
    r = page.evaluate(SEQUENCE)
    rate = r["rate"]
    ada, grace, ada2 = (round(0.4 * rate), round(0.4 * rate), round(0.1 * rate))
    assert abs(r["final"]["i-ada"] - ada) <= 4
    assert abs(r["final"]["i-grace"] - grace) <= 4
    assert abs(r["final"]["i-ada-2"] - ada2) <= 4
    for snap in r["snapshots"]:
        if snap.get("i-grace"):
            assert snap["i-ada"] == r["final"]["i-ada"], "Grace spoke before Ada had finished"
        if snap.get("i-ada-2"):
            assert snap["i-grace"] == r["final"]["i-grace"], "Ada's second turn cut into Grace's"
    assert any(s.get("i-ada") and not s.get("i-grace") for s in r["snapshots"])
    assert page.js_errors == []
