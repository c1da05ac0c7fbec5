from __future__ import annotations

import json

import pytest

from agents.realtime.models.base import (
    AudioDelta,
    AudioDone,
    InputDone,
    InputStarted,
    InputTranscriptDone,
    ModelConnectError,
    ModelDisconnected,
    ModelError,
    ResponseDone,
    SessionReady,
    ToolCall,
    TranscriptDone,
)
from agents.realtime.models.openai import OpenAIRealtimeModel
from agents.realtime.spec import TurnDetection
from tests.fakes import FakeOpenAI, FakeToolCall, Reply, silence, tone
from tests.realtime.providers.helpers import (
    WEATHER,
    compact,
    engine_tasks,
    make_spec,
    of,
    read_all,
    read_until,
)


async def connected(fake: FakeOpenAI, **overrides: object) -> OpenAIRealtimeModel:
    model = OpenAIRealtimeModel(make_spec("openai", fake.url, **overrides), fake.url)
    await model.connect()
    return model


async def test_it_configures_a_ga_session_with_the_key_in_a_header_only() -> None:
    async with FakeOpenAI() as fake:
        model = await connected(fake, model="gpt-realtime", voice="marin", tools=(WEATHER,),
                                turn_detection=TurnDetection(threshold=0.6, prefix_padding_ms=200, silence_duration_ms=300))
        conn = fake.last
        assert conn.headers["authorization"] == "Bearer test-key"
        assert "openai-beta" not in conn.headers
        assert conn.query == {"model": "gpt-realtime"}
        session = conn.frames[0]["session"]
        assert conn.frames[0]["type"] == "session.update"
        assert session["type"] == "realtime" and session["output_modalities"] == ["audio"]
        assert session["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
        assert session["audio"]["input"]["turn_detection"] == {
            "type": "server_vad", "threshold": 0.6, "prefix_padding_ms": 200, "silence_duration_ms": 300,
            "create_response": True, "interrupt_response": True}
        assert session["audio"]["output"] == {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"}
        assert session["tools"] == [{"type": "function", "name": "get_weather", "description": WEATHER.description,
                                     "parameters": WEATHER.parameters}]
        assert session["instructions"] == "Be brief."
        assert isinstance((await read_until(model, SessionReady))[0], SessionReady)
        await model.close()


async def test_it_sends_null_turn_detection_for_manual_turns() -> None:
    async with FakeOpenAI() as fake:
        model = await connected(fake, turn_detection=None)
        await model.send_audio(tone(200, 24000))
        await model.commit_audio()
        await fake.wait_for("response.create")
        assert fake.last.frames[0]["session"]["audio"]["input"]["turn_detection"] is None
        assert fake.kinds()[-3:] == ["input_audio_buffer.append", "input_audio_buffer.commit", "response.create"]
        events = await read_until(model, ResponseDone)
        assert of(events, InputTranscriptDone)[0].transcript == "hello there"
        await model.close()


@pytest.mark.parametrize("legacy", [False, True], ids=["ga-names", "pre-ga-names"])
async def test_it_runs_a_text_turn(legacy: bool) -> None:
    async with FakeOpenAI(legacy_names=legacy) as fake:
        model = await connected(fake)
        await model.send_text("What's up?")
        events = await read_until(model, ResponseDone)
        assert fake.kinds()[-2:] == ["conversation.item.create", "response.create"]
        item = fake.sent_of("conversation.item.create")[-1]["item"]
        assert item == {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "What's up?"}]}
        assert compact(events) == ["SessionReady", "ResponseCreated", "AudioDelta", "TranscriptDelta", "AudioDelta",
                                   "TranscriptDelta", "AudioDelta", "TranscriptDelta", "AudioDelta", "TranscriptDelta",
                                   "AudioDelta", "TranscriptDelta", "AudioDelta", "AudioDone", "TranscriptDone",
                                   "ResponseDone"]
        audio = of(events, AudioDelta)
        assert {a.rate for a in audio} == {24000}
        assert sum(len(a.pcm) for a in audio) == 24000 * 2 * 240 // 1000
        assert of(events, TranscriptDone)[0].transcript == "Hello from the fake provider."
        done = of(events, ResponseDone)[0]
        assert (done.status, done.input_tokens, done.output_tokens) == ("completed", 11, 7)
        await model.close()


async def test_it_runs_an_audio_turn_with_server_vad_events() -> None:
    async with FakeOpenAI(user_transcript="book a table") as fake:
        model = await connected(fake)
        for chunk in [tone(100, 24000)] * 3 + [silence(100, 24000)] * 6:
            await model.send_audio(chunk)
        events = await read_until(model, ResponseDone)
        started, stopped = of(events, InputStarted)[0], of(events, InputDone)[0]
        # 300 ms of speech, then the spec's 500 ms of silence ends the turn
        assert (started.audio_start_ms, stopped.audio_end_ms) == (0, 800)
        assert started.item_id == stopped.item_id
        assert of(events, InputTranscriptDone)[0].transcript == "book a table"
        assert compact(events)[:5] == ["SessionReady", "InputStarted", "InputDone", "InputTranscriptDelta",
                                       "InputTranscriptDone"]
        assert compact(events)[-1] == "ResponseDone"
        await model.close()


@pytest.mark.parametrize("stream_arguments", [True, False], ids=["with-deltas", "without-deltas"])
async def test_it_continues_after_a_tool_call(stream_arguments: bool) -> None:
    call = FakeToolCall("get_weather", {"city": "Paris"}, stream_arguments=stream_arguments)
    async with FakeOpenAI(replies=(Reply(text="", tool_calls=(call,)), Reply(text="It is sunny."))) as fake:
        model = await connected(fake, tools=(WEATHER,))
        await model.send_text("Weather in Paris?")
        events = await read_until(model, ResponseDone)
        tool = of(events, ToolCall)[0]
        assert (tool.name, json.loads(tool.arguments)) == ("get_weather", {"city": "Paris"})
        assert tool.call_id.startswith("call_")
        await model.send_tool_result(tool.call_id, tool.name, json.dumps({"sky": "clear"}))
        events = await read_until(model, ResponseDone)
        output = fake.sent_of("conversation.item.create")[-1]["item"]
        assert output == {"type": "function_call_output", "call_id": tool.call_id, "output": '{"sky": "clear"}'}
        assert fake.kinds()[-2:] == ["conversation.item.create", "response.create"]
        assert of(events, TranscriptDone)[0].transcript == "It is sunny."
        assert not of(events, ModelError)
        await model.close()


async def test_it_cancels_and_truncates_to_what_was_played() -> None:
    async with FakeOpenAI(replies=(Reply(audio_ms=2000, chunk_delay_s=0.02),)) as fake:
        model = await connected(fake)
        await model.send_text("Tell me a long story")
        first = of(await read_until(model, AudioDelta, count=3), AudioDelta)
        await model.cancel_response()
        await model.truncate(first[0].item_id, 80)
        events = await read_until(model, ResponseDone)
        assert of(events, ResponseDone)[0].status == "cancelled"
        await model.truncate(first[0].item_id, 10_000)  # more than was ever received: clamped, not an error
        await model.cancel_response()  # nothing active any more: not sent, so no error comes back
        await model.send_text("again")
        events = await read_until(model, ResponseDone)
        truncates = fake.sent_of("conversation.item.truncate")
        assert truncates[0] == {"type": "conversation.item.truncate", "item_id": first[0].item_id,
                                "content_index": 0, "audio_end_ms": 80}
        assert truncates[1]["audio_end_ms"] == 80  # the audio the server still holds after the first trim
        assert len(fake.sent_of("response.cancel")) == 1
        assert not of(events, ModelError)
        await model.close()


async def test_it_reports_error_frames_and_keeps_the_session() -> None:
    async with FakeOpenAI() as fake:
        model = await connected(fake)
        await model.commit_audio()  # empty buffer: the provider answers with an error frame
        events = await read_until(model, ModelError)
        error = of(events, ModelError)[0]
        assert (error.code, error.error_type, error.fatal) == ("input_audio_buffer_commit_empty",
                                                               "invalid_request_error", False)
        await model.send_text("still there?")
        assert of(await read_until(model, ResponseDone), ResponseDone)[0].status == "completed"
        await model.close()


async def test_it_reports_why_a_response_failed() -> None:
    # OpenAI puts a failed response's reason in response.done alone; without it the agent falls silent.
    async with FakeOpenAI() as fake:
        model = await connected(fake)
        await fake.send({"type": "response.done", "event_id": "e9", "response": {
            "id": "resp_9", "object": "realtime.response", "status": "failed", "output": [], "usage": None,
            "status_details": {"type": "failed", "error": {
                "type": "rate_limit_error", "code": "inference_rate_limit_exceeded",
                "message": "Rate limit reached for inference."}}}})
        events = await read_until(model, ResponseDone)
        await model.close()
    [error] = of(events, ModelError)
    assert (error.code, error.error_type, error.message) == ("inference_rate_limit_exceeded", "rate_limit_error",
                                                             "Rate limit reached for inference.")
    assert events.index(error) < events.index(of(events, ResponseDone)[0])
    assert of(events, ResponseDone)[0].status == "failed"


async def test_it_reports_a_drop_mid_response_as_the_last_event() -> None:
    async with FakeOpenAI(replies=(Reply(drop_after_chunks=2),)) as fake:
        model = await connected(fake)
        await model.send_text("hi")
        events = await read_all(model)
        assert isinstance(events[-1], ModelDisconnected) and events[-1].code == 1011
        assert len(of(events, AudioDelta)) == 2 and not of(events, AudioDone)
        await model.send_audio(tone(20, 24000))  # sending after a drop must not raise into the caller
        assert engine_tasks() == []
        await model.close()


async def test_it_closes_cleanly_without_a_disconnect_event() -> None:
    async with FakeOpenAI(replies=(Reply(audio_ms=3000, chunk_delay_s=0.02),)) as fake:
        model = await connected(fake)
        await model.send_text("hi")
        await read_until(model, AudioDelta)
        await model.close()
        await model.close()  # idempotent
        assert await read_all(model) == []
        assert engine_tasks() == []
        await fake.wait_closed()


async def test_it_refuses_to_connect_with_a_wrong_key() -> None:
    async with FakeOpenAI(api_key="right") as fake:
        model = OpenAIRealtimeModel(make_spec("openai", fake.url, api_key="wrong"), fake.url)
        with pytest.raises(ModelConnectError, match="401"):
            await model.connect()
        assert fake.rejected and not fake.connections
        assert engine_tasks() == []


async def test_it_replays_history_before_the_first_response() -> None:
    from agents.realtime.models.base import HistoryItem

    async with FakeOpenAI() as fake:
        model = OpenAIRealtimeModel(make_spec("openai", fake.url), fake.url)
        await model.connect((HistoryItem("user", "My name is Ann."), HistoryItem("assistant", "Hi Ann!")))
        await fake.wait_for("conversation.item.create", count=2)
        items = [f["item"] for f in fake.sent_of("conversation.item.create")]
        assert items == [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "My name is Ann."}]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi Ann!"}]}]
        assert not fake.sent_of("response.create")
        await model.close()
