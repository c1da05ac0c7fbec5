from __future__ import annotations

import asyncio
import base64

import pytest

from agents.realtime.models.base import (
    AudioDelta,
    GoAway,
    HistoryItem,
    InputStarted,
    InputTranscriptDone,
    Interrupted,
    ModelConnectError,
    ModelDisconnected,
    ResponseDone,
    SessionReady,
    ToolCall,
    TranscriptDone,
)
from agents.realtime.models.gemini import GeminiLiveModel
from tests.fakes import FakeGemini, FakeToolCall, Reply, silence, tone
from tests.realtime.providers.helpers import (
    WEATHER,
    compact,
    engine_tasks,
    make_spec,
    of,
    read_all,
    read_until,
)


async def connected(fake: FakeGemini, history: tuple[HistoryItem, ...] = (), **overrides: object) -> GeminiLiveModel:
    model = GeminiLiveModel(make_spec("gemini", fake.url, **overrides), fake.url)
    await model.connect(history)
    return model


async def test_it_sends_setup_first_with_the_key_in_a_header() -> None:
    async with FakeGemini() as fake:
        model = await connected(fake, model="gemini-live-2.5-flash-preview", voice="Puck", tools=(WEATHER,),
                                turn_detection=None)
        conn = fake.last
        assert conn.headers["x-goog-api-key"] == "test-key" and conn.query == {}
        setup = conn.frames[0]["setup"]
        assert list(conn.frames[0]) == ["setup"]
        assert setup["model"] == "models/gemini-live-2.5-flash-preview"
        assert setup["generationConfig"] == {"responseModalities": ["AUDIO"], "speechConfig": {
            "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}}}}
        assert setup["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
        assert setup["tools"] == [{"functionDeclarations": [{"name": "get_weather", "description": WEATHER.description,
                                                             "parameters": WEATHER.parameters}]}]
        assert setup["realtimeInputConfig"] == {"automaticActivityDetection": {"disabled": True}}
        assert setup["inputAudioTranscription"] == {} and setup["outputAudioTranscription"] == {}
        assert isinstance((await read_until(model, SessionReady))[0], SessionReady)
        await model.close()


@pytest.mark.parametrize("pack", [False, True], ids=["one-key-per-message", "multi-key-messages"])
async def test_it_runs_a_text_turn_and_synthesizes_the_response_lifecycle(pack: bool) -> None:
    async with FakeGemini(pack_messages=pack) as fake:
        model = await connected(fake)
        await model.send_text("Hi there")
        events = await read_until(model, ResponseDone)
        assert fake.last.frames[-1] == {"clientContent": {"turns": [{"role": "user", "parts": [{"text": "Hi there"}]}],
                                                          "turnComplete": True}}
        shape = compact(events)
        assert shape[:3] == ["SessionReady", "ResponseCreated", "AudioDelta"]
        assert shape[-3:] == ["AudioDone", "TranscriptDone", "ResponseDone"]
        audio = of(events, AudioDelta)
        assert {a.rate for a in audio} == {24000} and sum(len(a.pcm) for a in audio) == 24000 * 2 * 240 // 1000
        assert of(events, TranscriptDone)[0].transcript == "Hello from the fake provider."
        done = of(events, ResponseDone)[0]
        assert (done.status, done.input_tokens, done.output_tokens) == ("completed", 11, 7)
        assert len({e.response_id for e in events if hasattr(e, "response_id")}) == 1
        await model.close()


async def test_it_walks_every_part_and_key_of_one_message() -> None:
    async with FakeGemini() as fake:
        model = await connected(fake)
        pcm = tone(20, 24000)
        await fake.send({
            "serverContent": {
                "inputTranscription": {"text": "what time"},
                "modelTurn": {"parts": [
                    {"inlineData": {"mimeType": "audio/pcm;rate=24000", "data": base64.b64encode(pcm).decode()}},
                    {"text": "It is "}, {"text": "noon."}]},
                "outputTranscription": {"text": "It is noon."},
                "generationComplete": True, "turnComplete": True},
            "usageMetadata": {"promptTokenCount": 5, "responseTokenCount": 3, "totalTokenCount": 8},
            "sessionResumptionUpdate": {"newHandle": "h-1", "resumable": True},
            "goAway": {"timeLeft": "9.5s"},
        })
        events = (await read_until(model, GoAway))[1:]
        assert compact(events) == ["InputTranscriptDelta", "InputTranscriptDone", "ResponseCreated", "AudioDelta",
                                   "TranscriptDelta", "AudioDone", "TranscriptDone", "ResponseDone", "GoAway"]
        assert of(events, AudioDelta)[0].pcm == pcm
        assert of(events, InputTranscriptDone)[0].transcript == "what time"
        assert of(events, TranscriptDone)[0].transcript == "It is noon.It is noon."
        assert (of(events, ResponseDone)[0].input_tokens, of(events, ResponseDone)[0].output_tokens) == (5, 3)
        assert of(events, GoAway)[0].time_left_ms == 9500
        assert model.resumption_handle == "h-1"
        await model.close()


async def test_it_runs_an_audio_turn_with_user_transcript_and_no_vad_events() -> None:
    async with FakeGemini(user_transcript="turn on the lights") as fake:
        model = await connected(fake)
        for chunk in [tone(100, 16000)] * 3 + [silence(100, 16000)] * 6:
            await model.send_audio(chunk)
        events = await read_until(model, ResponseDone)
        audio_frames = fake.sent_of("realtimeInput")
        assert audio_frames[0]["realtimeInput"]["audio"]["mimeType"] == "audio/pcm;rate=16000"
        assert compact(events)[1:5] == ["InputTranscriptDelta", "InputTranscriptDone", "ResponseCreated", "AudioDelta"]
        assert of(events, InputTranscriptDone)[0].transcript == "turn on the lights"
        assert not of(events, InputStarted) and not model.capabilities.server_vad
        await model.close()


async def test_it_wraps_manual_turns_in_activity_start_and_end() -> None:
    async with FakeGemini() as fake:
        model = await connected(fake, turn_detection=None)
        await model.send_audio(tone(100, 16000))
        await model.send_audio(tone(100, 16000))
        await model.commit_audio()
        events = await read_until(model, ResponseDone)
        inputs = [next(iter(f["realtimeInput"])) for f in fake.sent_of("realtimeInput")]
        assert inputs == ["activityStart", "audio", "audio", "activityEnd"]
        assert of(events, ResponseDone)[0].status == "completed"
        await model.close()


async def test_it_returns_several_tool_calls_and_the_model_continues_by_itself() -> None:
    calls = (FakeToolCall("get_weather", {"city": "Paris"}), FakeToolCall("get_weather", {"city": "Rome"}))
    async with FakeGemini(replies=(Reply(text="", tool_calls=calls), Reply(text="Both sunny."))) as fake:
        model = await connected(fake, tools=(WEATHER,))
        await model.send_text("Weather in Paris and Rome?")
        events = await read_until(model, ResponseDone)
        tools = of(events, ToolCall)
        assert [(t.name, t.arguments) for t in tools] == [("get_weather", '{"city": "Paris"}'),
                                                          ("get_weather", '{"city": "Rome"}')]
        await model.send_tool_result(tools[0].call_id, "get_weather", "sunny, 24C", last=False)
        await model.send_tool_result(tools[1].call_id, "get_weather", '{"sky": "clear"}')
        events = await read_until(model, ResponseDone)
        responses = [f["toolResponse"]["functionResponses"][0] for f in fake.sent_of("toolResponse")]
        assert responses == [{"id": tools[0].call_id, "name": "get_weather", "response": {"output": "sunny, 24C"}},
                             {"id": tools[1].call_id, "name": "get_weather", "response": {"sky": "clear"}}]
        assert fake.kinds()[-1] == "toolResponse"  # nothing else was needed to make it continue
        assert of(events, TranscriptDone)[0].transcript == "Both sunny."
        await model.close()


async def test_it_reports_an_interruption_then_an_interrupted_response() -> None:
    async with FakeGemini(replies=(Reply(audio_ms=3000, chunk_delay_s=0.02),)) as fake:
        model = await connected(fake)
        await model.send_text("Tell me a story")
        first = await read_until(model, AudioDelta)
        await model.send_audio(tone(100, 16000))  # the user talks over the model
        events = await read_until(model, ResponseDone)
        rid = of(first, AudioDelta)[0].response_id
        assert compact(events)[-2:] == ["Interrupted", "ResponseDone"]
        assert of(events, Interrupted)[0].response_id == rid
        assert of(events, ResponseDone)[0].status == "interrupted"
        await model.close()


async def test_it_resumes_with_the_last_handle_and_otherwise_replays_history() -> None:
    async with FakeGemini() as fake:
        model = await connected(fake, (HistoryItem("user", "I like jazz."), HistoryItem("assistant", "Noted.")))
        first_turns = (await fake.wait_for("clientContent"))[0]["clientContent"]
        assert first_turns == {"turns": [{"role": "user", "parts": [{"text": "I like jazz."}]},
                                         {"role": "model", "parts": [{"text": "Noted."}]}], "turnComplete": False}
        await model.send_text("hi")
        await read_until(model, ResponseDone)
        # The update follows turnComplete and yields no event: keep reading, as the bridge's pump does.
        rest = asyncio.create_task(read_all(model))
        async with asyncio.timeout(5):
            while model.resumption_handle is None:
                await asyncio.sleep(0.01)
        handle = fake.resumption_handles[-1]
        assert model.resumption_handle == handle
        await fake.drop()
        assert isinstance((await rest)[-1], ModelDisconnected)
        await model.connect((HistoryItem("user", "I like jazz."),))
        assert fake.last.frames[0]["setup"]["sessionResumption"] == {"handle": handle}
        await model.send_text("again")
        await fake.wait_for(lambda f: f.get("clientContent", {}).get("turnComplete") is True, count=2)
        # the resumed session has its context: setup, then straight to the new turn, no replay
        assert [next(iter(f)) for f in fake.last.frames] == ["setup", "clientContent"]
        assert fake.last.frames[1]["clientContent"]["turns"][0]["parts"] == [{"text": "again"}]
        await model.close()


async def test_it_reports_a_drop_and_a_refused_key() -> None:
    async with FakeGemini(replies=(Reply(drop_after_chunks=1),), api_key="right") as fake:
        bad = GeminiLiveModel(make_spec("gemini", fake.url, api_key="wrong"), fake.url)
        with pytest.raises(ModelConnectError, match="1008"):
            await bad.connect()
        model = await connected(fake, api_key="right")
        await model.send_text("hi")
        events = await read_all(model)
        assert isinstance(events[-1], ModelDisconnected) and events[-1].code == 1011
        await model.close()
        assert engine_tasks() == []
