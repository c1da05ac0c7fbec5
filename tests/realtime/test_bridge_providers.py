"""The bridge against the loopback fake providers (their published protocols): what a client sees."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from agents.realtime.bridge import AgentBridge
from agents.realtime.events import parse_client_event
from agents.realtime.spec import AgentSpec, TurnDetection
from tests.fakes import FakeDashScope, FakeGemini, FakeOpenAI, FakeProvider, FakeToolCall, Reply
from tests.realtime.helpers import CALCULATOR, Recorder, audio_event, frames, silence_pcm, tone_pcm

TURN = ["agent_response_created", "agent_response_audio_done", "agent_response_audio_transcript_done",
        "agent_response_done"]
FAKES: dict[str, type[FakeProvider]] = {"openai": FakeOpenAI, "dashscope": FakeDashScope, "gemini": FakeGemini}


def spec_for(provider: str, fake: FakeProvider, **overrides: Any) -> AgentSpec:
    values: dict[str, Any] = {"agent_id": "agent-9", "name": "Ava", "instructions": "Be brief.",
                              "provider": provider, "api_key": "test-key", "base_url": fake.url}
    values.update(overrides)
    return AgentSpec(**values)


async def started(spec: AgentSpec, **kwargs: Any) -> tuple[AgentBridge, Recorder]:
    rec = Recorder()
    bridge = AgentBridge(spec, rec, default_urls={}, **kwargs)
    assert await bridge.start()
    return bridge, rec


async def send(bridge: AgentBridge, raw: dict[str, Any]) -> None:
    await bridge.handle(parse_client_event(raw))


def text_of(rec: Recorder) -> list[str]:
    return [e["transcript"] for e in rec.of("agent_response_audio_transcript_done")]


@pytest.mark.parametrize("provider", ["openai", "gemini"])
async def test_it_runs_a_text_turn(provider: str) -> None:
    async with FAKES[provider](replies=(Reply(text="Hi there!", audio_ms=400),)) as fake:
        bridge, rec = await started(spec_for(provider, fake))
        await send(bridge, {"type": "client_text_append", "session_id": "session1", "text": "hello"})
        done = await rec.wait_for("agent_response_done")
        await bridge.stop()
    assert rec.flow() == ["agent_ready", *TURN, "agent_ended"]
    assert text_of(rec) == ["Hi there!"]
    assert {d["format"]["rate"] for d in rec.of("agent_response_audio_delta")} == {24000}
    assert rec.audio_bytes(done["response_id"]) == 400 * 24 * 2
    assert [i.role for i in bridge.conversation] == ["user", "assistant"]


async def test_it_refuses_typed_text_on_dashscope_without_faking_a_reply() -> None:
    async with FakeDashScope() as fake:
        bridge, rec = await started(spec_for("dashscope", fake))
        await send(bridge, {"type": "client_text_append", "text": "hello"})
        await bridge.stop()
        assert "response.create" not in fake.kinds()
    assert rec.flow() == ["agent_ready", "agent_error", "agent_ended"]
    assert rec.of("agent_error")[0]["code"] == "text_input_unsupported"


@pytest.mark.parametrize("provider", ["openai", "dashscope"])
async def test_it_runs_an_audio_turn_with_vad_events_from_16khz_page_audio(provider: str) -> None:
    async with FAKES[provider](user_transcript="what time is it", replies=(Reply(text="Noon."),)) as fake:
        bridge, rec = await started(spec_for(provider, fake, turn_detection=TurnDetection(silence_duration_ms=300)))
        audio = silence_pcm(200, 16000) + tone_pcm(800, 16000) + silence_pcm(800, 16000)
        for chunk in frames(audio, 16000, ms=256):
            await send(bridge, audio_event(chunk, 16000))
        await rec.wait_for("agent_response_done")
        await bridge.stop()
    flow = rec.flow()
    assert flow[:4] == ["agent_ready", "agent_input_started", "agent_input_done", "agent_input_transcription_done"]
    assert flow[4:] == [*TURN, "agent_ended"]
    assert rec.of("agent_input_transcription_done")[0]["transcript"] == "what time is it"
    assert rec.of("agent_input_started")[0]["audio_start_ms"] < rec.of("agent_input_done")[0]["audio_end_ms"]
    assert text_of(rec) == ["Noon."]


async def test_it_plays_16khz_dashscope_output_at_24khz() -> None:
    async with FakeDashScope(output_audio_format="pcm16", replies=(Reply(text="Ok.", audio_ms=400),)) as fake:
        bridge, rec = await started(spec_for("dashscope", fake, turn_detection=TurnDetection(silence_duration_ms=300)))
        for chunk in frames(tone_pcm(600, 16000) + silence_pcm(800, 16000), 16000, ms=100):
            await send(bridge, audio_event(chunk, 16000))
        done = await rec.wait_for("agent_response_done")
        await bridge.stop()
    assert {d["format"]["rate"] for d in rec.of("agent_response_audio_delta")} == {24000}
    assert rec.audio_bytes(done["response_id"]) == pytest.approx(400 * 24 * 2, abs=16)


@pytest.mark.parametrize("provider", ["openai", "gemini"])
async def test_it_runs_a_tool_and_the_model_continues(provider: str) -> None:
    replies = (Reply(text="", tool_calls=(FakeToolCall("calculator", {"expression": "6*7"}),)),
               Reply(text="It is 42."))
    async with FAKES[provider](replies=replies) as fake:
        bridge, rec = await started(spec_for(provider, fake, tools=(CALCULATOR,)))
        await send(bridge, {"type": "client_text_append", "text": "what is six times seven?"})
        await rec.wait_for(lambda e: e["type"] == "agent_response_audio_transcript_done" and e["transcript"])
        await rec.wait_for("agent_response_done", count=2)
        await bridge.stop()
        tool_frames = fake.sent_of("toolResponse" if provider == "gemini" else "conversation.item.create")
    flow = rec.flow()
    assert flow[:2] == ["agent_ready", "agent_response_created"]
    assert "agent_response_tool_use_done" in flow[:flow.index("agent_response_done")]
    assert flow[flow.index("agent_response_done") + 1:] == ["agent_response_tool_result", *TURN, "agent_ended"]
    assert rec.of("agent_response_tool_result")[0]["tool_result"]["output"] == [{"type": "text", "text": "42"}]
    assert text_of(rec)[-1] == "It is 42."
    assert "42" in str(tool_frames[-1])


async def test_it_cancels_and_truncates_on_barge_in_at_openai() -> None:
    async with FakeOpenAI(replies=(Reply(text="A long story.", audio_ms=4000, chunk_delay_s=0.03),)) as fake:
        bridge, rec = await started(spec_for("openai", fake, turn_detection=TurnDetection(silence_duration_ms=300)))
        await send(bridge, {"type": "client_text_append", "text": "tell me a story"})
        await rec.wait_for("agent_response_audio_delta", count=3)
        for chunk in frames(tone_pcm(300, 16000), 16000, ms=100):
            await send(bridge, audio_event(chunk, 16000))
        cancelled = await rec.wait_for("agent_response_cancelled")
        after = rec.mark()
        await fake.wait_for("conversation.item.truncate")
        await asyncio.sleep(0.2)
        await bridge.stop()
        truncate = fake.sent_of("conversation.item.truncate")[0]
    # The fake, like OpenAI with interrupt_response, cancels on its own as its VAD hears the user.
    assert rec.flow() == ["agent_ready", "agent_response_created", "agent_response_cancelled",
                          "agent_response_audio_done", "agent_response_audio_transcript_done", "agent_response_done",
                          "agent_input_started", "agent_ended"]
    assert cancelled["reason"] == "barge_in"
    assert rec.of("agent_response_done")[0]["metadata"]["status"] == "cancelled"
    assert truncate["item_id"] == cancelled["item_id"] and truncate["audio_end_ms"] == cancelled["played_ms"]
    assert not [e for e in rec.events[after:] if e["type"] == "agent_response_audio_delta"
                and e["response_id"] == cancelled["response_id"]]
    assert "agent_error" not in rec.flow()


async def test_it_flushes_on_a_gemini_interruption() -> None:
    async with FakeGemini(replies=(Reply(text="A long story.", audio_ms=4000, chunk_delay_s=0.03),)) as fake:
        bridge, rec = await started(spec_for("gemini", fake))
        await send(bridge, {"type": "client_text_append", "text": "tell me a story"})
        await rec.wait_for("agent_response_audio_delta", count=3)
        await send(bridge, audio_event(tone_pcm(200, 16000), 16000))
        cancelled = await rec.wait_for("agent_response_cancelled")
        await rec.wait_for("agent_response_done")
        await bridge.stop()
    assert cancelled["reason"] == "provider_interrupted"
    assert rec.of("agent_response_done")[0]["metadata"]["status"] == "interrupted"


@pytest.mark.parametrize("provider", ["openai", "gemini"])
async def test_it_reconnects_after_a_drop_mid_response_with_the_conversation(provider: str) -> None:
    replies = (Reply(text="First answer."), Reply(text="Cut off.", audio_ms=2000, drop_after_chunks=2),
               Reply(text="Back again."))
    async with FAKES[provider](replies=replies) as fake:
        bridge, rec = await started(spec_for(provider, fake), reconnect_backoff_s=0.05)
        await send(bridge, {"type": "client_text_append", "text": "first"})
        await rec.wait_for("agent_response_done")
        await send(bridge, {"type": "client_text_append", "text": "second"})
        await rec.wait_for("agent_ready", count=2)
        await send(bridge, {"type": "client_text_append", "text": "third"})
        await rec.wait_for("agent_response_done", count=3)
        await bridge.stop()
        replayed = str(fake.connections[1].frames)
    assert rec.flow() == ["agent_ready", *TURN, "agent_response_created", "agent_error",
                          "agent_response_audio_done", "agent_response_audio_transcript_done", "agent_response_done",
                          "agent_ready", *TURN, "agent_ended"]
    assert rec.of("agent_error")[0]["code"] == "provider_disconnected"
    assert rec.of("agent_response_done")[1]["metadata"]["status"] == "failed"
    assert "First answer." in replayed and "first" in replayed
    assert text_of(rec)[-1] == "Back again."


async def test_it_reports_a_provider_error_frame_and_carries_on() -> None:
    async with FakeOpenAI(replies=(Reply(text="Fine."),)) as fake:
        bridge, rec = await started(spec_for("openai", fake))
        await fake.send({"type": "error", "event_id": "e1", "error": {"type": "invalid_request_error",
                         "code": "invalid_value", "message": "Bad value", "param": None, "event_id": None}})
        error = await rec.wait_for("agent_error")
        await send(bridge, {"type": "client_text_append", "text": "still ok?"})
        await rec.wait_for("agent_response_done")
        await bridge.stop()
    assert error["code"] == "invalid_value" and error["message"] == "Bad value"
    assert rec.flow() == ["agent_ready", "agent_error", *TURN, "agent_ended"]


async def test_it_sends_page_audio_resampled_to_openai_24khz() -> None:
    async with FakeOpenAI() as fake:
        bridge, _ = await started(spec_for("openai", fake, turn_detection=None))
        await send(bridge, audio_event(silence_pcm(1000, 16000), 16000))
        await fake.wait_for("input_audio_buffer.append")
        await bridge.stop()
        sent = sum(len(base64.b64decode(f["audio"])) for f in fake.sent_of("input_audio_buffer.append"))
    assert sent == pytest.approx(24000 * 2, abs=8)
