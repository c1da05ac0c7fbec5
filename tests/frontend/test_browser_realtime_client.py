"""The protocol client and the voice session glue in a real Chromium, against a loopback server
that speaks the AgentScope v1 server events."""

from __future__ import annotations

import base64
import json
import math
import struct
from collections.abc import Callable
from typing import Any

import pytest

from tests.frontend.fake_realtime_server import Peer, fake_realtime_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IDS = {"agent_id": "A1", "agent_name": "Friday"}


def tone_b64(ms: int, rate: int = 24000) -> str:
    samples = [int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(rate * ms // 1000)]
    return base64.b64encode(struct.pack(f"<{len(samples)}h", *samples)).decode()


async def protocol_script(peer: Peer) -> None:
    create = await peer.recv("client_session_create")
    assert create["config"] == {"instructions": "be brief"}
    await peer.send({"type": "server_session_created", "session_id": "S1"})
    await peer.recv("client_text_append")
    await peer.recv("client_audio_append")
    await peer.send({"type": "agent_response_created", "response_id": "r1", **IDS})
    await peer.send({"type": "agent_error", "error_type": "provider_error", "code": "rate_limited",
                     "message": "slow down", **IDS})
    await peer.send_raw("this is not json")
    await peer.close(4001, "token expired")


CLIENT = """
async (url) => {
  const { RealtimeClient } = await import("/static/frontend/js/realtime-client.js");
  const log = { events: [], errors: [], closes: [] };
  const client = new RealtimeClient();
  client.on("*", (ev) => log.events.push(ev.type));
  client.on("error", (err) => log.errors.push({ source: err.source, code: err.code, message: err.message }));
  const closed = new Promise((resolve) => client.on("close", (info) => { log.closes.push(info); resolve(); }));
  await client.connect(url);
  const created = await client.createSession({ instructions: "be brief" });
  log.sessionId = created.session_id;
  client.sendText("hello");
  client.appendAudio(new Int16Array([1, -2, 3]), 44100);
  await closed;
  try { client.sendText("after close"); } catch (e) { log.sendAfterClose = e.message; }
  return log;
}
"""


def test_it_dispatches_events_and_surfaces_errors_and_the_close_code(page_factory: Callable[[], Any],
                                                                      platform_url: str) -> None:
    page = page_factory()
    page.goto("/login/")
    with fake_realtime_server(protocol_script) as server:
        log = page.evaluate(CLIENT, server.url)
    assert server.errors == []
    assert log["sessionId"] == "S1"
    assert log["events"] == ["server_session_created", "agent_response_created", "agent_error"]
    assert log["errors"] == [
        {"source": "server", "code": "rate_limited", "message": "slow down"},
        {"source": "protocol", "code": "bad_json", "message": "not JSON: this is not json"},
        {"source": "socket", "code": "close_4001", "message": "Connection closed (4001: token expired)"},
    ]
    assert log["closes"] == [{"code": 4001, "reason": "token expired", "wasClean": True}]
    assert "not connected" in log["sendAfterClose"]
    sent = {e["type"]: e for e in server.peers[0].received}
    assert sent["client_text_append"] == {"type": "client_text_append", "text": "hello", "session_id": "S1"}
    audio = sent["client_audio_append"]
    assert audio["format"] == {"type": "audio/pcm", "rate": 44100}
    assert struct.unpack("<3h", base64.b64decode(audio["audio"])) == (1, -2, 3)


def test_it_rejects_connect_when_the_server_refuses(page_factory: Callable[[], Any], platform_url: str) -> None:
    page = page_factory()
    page.goto("/login/")
    message = page.evaluate("""async () => {
      const { RealtimeClient } = await import("/static/frontend/js/realtime-client.js");
      try { await new RealtimeClient().connect("ws://127.0.0.1:9/nothing"); return "connected?"; }
      catch (e) { return e.message; }
    }""")
    assert message.startswith("could not connect (close 1006")


async def voice_script(peer: Peer) -> None:
    await peer.recv("client_session_create")
    await peer.send({"type": "server_session_created", "session_id": "S2"})
    # A client tool call: the page answers it from the browser.
    tool = {"type": "tool_use", "id": "call-1", "name": "browser_timezone", "input": {}, "raw_input": "{}"}
    await peer.send({"type": "agent_response_tool_use_done", "response_id": "r0", "item_id": "t1",
                     "tool_use": tool, **IDS})
    result = await peer.recv("client_tool_result")
    await peer.send({"type": "agent_response_tool_result",
                     "tool_result": {"type": "tool_result", "id": "call-1", "name": "browser_timezone",
                                     "output": [{"type": "text", "text": result["output"]}]}, **IDS})
    # A long spoken reply, with its transcript.
    await peer.send({"type": "agent_response_created", "response_id": "r1", **IDS})
    await peer.send({"type": "agent_response_audio_transcript_delta", "response_id": "r1", "item_id": "i1",
                     "delta": "It is ", **IDS})
    await peer.send({"type": "agent_response_audio_transcript_delta", "response_id": "r1", "item_id": "i1",
                     "delta": "noon.", **IDS})
    await peer.send({"type": "agent_response_audio_transcript_done", "response_id": "r1", "item_id": "i1", **IDS})
    for _ in range(20):  # 4 s at 24 kHz in 200 ms deltas
        await peer.send({"type": "agent_response_audio_delta", "response_id": "r1", "item_id": "i1",
                         "delta": tone_b64(200), "format": {"type": "audio/pcm", "rate": 24000}, **IDS})
    # The person's transcription as a provider sends it: deltas and a done with the full text.
    await peer.send({"type": "agent_input_transcription_delta", "item_id": "u1", "delta": "what ", **IDS})
    await peer.send({"type": "agent_input_transcription_delta", "item_id": "u1", "delta": "time?", **IDS})
    await peer.send({"type": "agent_input_transcription_done", "item_id": "u1", "transcript": "what time?",
                     "input_tokens": None, "output_tokens": None, **IDS})
    await peer.recv("client_text_append")  # the page plays until the person types (barge-in)
    await peer.close(1000, "")


VOICE = """
async (url) => {
  const { VoiceSession } = await import("/static/frontend/js/voice-session.js");
  const { Transcript } = await import("/static/frontend/js/transcript.js");
  const { clientTools } = await import("/static/frontend/js/client-tools.js");
  const list = document.createElement("ol");
  document.body.append(list);
  const errors = [];
  const playback = [];
  const session = new VoiceSession({
    transcript: new Transcript(list), clientTools, onError: (e) => errors.push(e),
    onPlayback: (s) => playback.push(s),
  });
  const closed = new Promise((resolve) => session.client.on("close", resolve));
  await session.start({ url });
  while (!(session.player && session.player.state === "playing")) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  const before = await session.player.status();
  const player = session.player;
  const sent = [];
  const realSend = session.client.send.bind(session.client);
  session.client.send = (ev) => { sent.push(ev); realSend(ev); };
  await session.sendText("stop, thanks");
  const after = await player.status();
  await closed;
  const bubbles = [...list.children].map((li) => ({
    cls: li.className, speaker: li.querySelector(".speaker").textContent, text: li.querySelector(".text").textContent,
    colour: li.style.getPropertyValue("--agent-colour"),
  }));
  return { before, after, sent, bubbles, errors, playback,
           tz: Intl.DateTimeFormat().resolvedOptions().timeZone };
}
"""


def test_it_answers_client_tools_renders_the_transcript_and_flushes_on_barge_in(
        page_factory: Callable[[], Any], platform_url: str, screenshot: Callable[..., Any]) -> None:
    page = page_factory()
    page.goto("/login/")
    with fake_realtime_server(voice_script) as server:
        r = page.evaluate(VOICE, server.url)
    assert server.errors == []
    received = server.peers[0].received
    tool_result = next(e for e in received if e["type"] == "client_tool_result")
    assert tool_result["id"] == "call-1" and tool_result["session_id"] == "S2"
    assert json.loads(tool_result["output"]) == {"time_zone": r["tz"]}

    # Barge-in by typing: the queue is emptied at once and the server learns what was heard.
    assert r["before"]["queuedSamples"] > 0
    assert r["after"]["queuedSamples"] == 0
    cancel, text = r["sent"]
    assert cancel["type"] == "client_response_cancel"
    assert cancel["item_id"] == "i1" and cancel["response_id"] == "r1"
    heard_ms = r["after"]["playedByTag"]["i1"] * 1000 / r["after"]["sampleRate"]
    assert cancel["audio_end_ms"] == round(heard_ms)
    assert 0 < cancel["audio_end_ms"] < 4000
    assert text == {"type": "client_text_append", "text": "stop, thanks", "session_id": "S2"}
    assert "playing" in r["playback"]

    texts = [(b["speaker"], b["text"]) for b in r["bubbles"]]
    assert ("Friday", "It is noon.") in texts
    assert ("You", "what time?") in texts, "the user's transcription is shown once, not doubled"
    assert ("You", "stop, thanks") in texts
    assert any(t == "browser_timezone({})" for _, t in texts)
    assert any(s == "browser_timezone result" and r["tz"] in t for s, t in texts)
    agent_bubble = next(b for b in r["bubbles"] if b["speaker"] == "Friday")
    assert "open" not in agent_bubble["cls"] and agent_bubble["colour"]
    assert r["errors"] == []
    screenshot(page, "transcript")
