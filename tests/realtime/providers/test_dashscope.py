from __future__ import annotations

import base64

import pytest

from agents.realtime.models.base import (
    AudioDelta,
    HistoryItem,
    InputDone,
    InputStarted,
    InputTranscriptDelta,
    InputTranscriptDone,
    ModelDisconnected,
    ModelError,
    ModelUnsupported,
    ResponseDone,
    TranscriptDone,
)
from agents.realtime.models.dashscope import DashScopeRealtimeModel
from tests.fakes import FakeDashScope, Reply, silence, tone
from tests.realtime.providers.helpers import engine_tasks, make_spec, of, read_all, read_until


async def connected(fake: FakeDashScope, history: tuple[HistoryItem, ...] = (), **overrides: object
                    ) -> DashScopeRealtimeModel:
    model = DashScopeRealtimeModel(make_spec("dashscope", fake.url, **overrides), fake.url)
    await model.connect(history)
    return model


@pytest.mark.parametrize(("fmt", "rate"), [("pcm24", 24000), ("pcm16", 16000)])
async def test_it_reads_the_output_rate_from_the_session_not_the_model_name(fmt: str, rate: int) -> None:
    async with FakeDashScope(output_audio_format=fmt) as fake:
        model = await connected(fake, model="qwen3-omni-flash-realtime")
        assert model.capabilities.output_rate == rate
        for chunk in [tone(100, 16000)] * 3 + [silence(100, 16000)] * 6:
            await model.send_audio(chunk)
        events = await read_until(model, ResponseDone)
        audio = of(events, AudioDelta)
        assert {a.rate for a in audio} == {rate}
        assert sum(len(a.pcm) for a in audio) == rate * 2 * 240 // 1000
        await model.close()


async def test_it_configures_the_session_with_dashscope_headers_and_fields() -> None:
    async with FakeDashScope() as fake:
        history = (HistoryItem("user", "I am Li."), HistoryItem("assistant", "Hello Li."))
        model = await connected(fake, history, model="qwen3-omni-flash-realtime", voice="Dylan", turn_detection=None,
                                temperature=0.7)
        conn = fake.last
        assert conn.headers["authorization"] == "Bearer test-key"
        assert conn.headers["x-dashscope-datainspection"] == "disable"
        assert conn.query == {"model": "qwen3-omni-flash-realtime"}
        session = conn.frames[0]["session"]
        assert conn.frames[0]["type"] == "session.update"
        assert {k: session[k] for k in ("modalities", "voice", "input_audio_format", "output_audio_format",
                                        "turn_detection", "temperature")} == {
            "modalities": ["text", "audio"], "voice": "Dylan", "input_audio_format": "pcm16",
            "output_audio_format": "pcm24", "turn_detection": None, "temperature": 0.7}
        assert session["input_audio_transcription"] == {"model": "gummy-realtime-v1"}
        assert session["instructions"].startswith("Be brief.")
        assert "user: I am Li.\nassistant: Hello Li." in session["instructions"]
        assert "tools" not in session
        await model.close()


async def test_it_runs_a_manual_audio_turn_with_commit_and_response_create() -> None:
    async with FakeDashScope(user_transcript="ni hao") as fake:
        model = await connected(fake, turn_detection=None)
        await model.send_audio(tone(300, 16000))
        await model.commit_audio()
        events = await read_until(model, ResponseDone)
        assert fake.kinds()[-3:] == ["input_audio_buffer.append", "input_audio_buffer.commit", "response.create"]
        assert of(events, InputTranscriptDone)[0].transcript == "ni hao"
        assert not of(events, InputTranscriptDelta)  # DashScope sends the completed transcript only
        assert of(events, TranscriptDone)[0].transcript == "Hello from the fake provider."
        await model.close()


async def test_it_emits_vad_events_at_16khz() -> None:
    async with FakeDashScope() as fake:
        model = await connected(fake)
        for chunk in [tone(100, 16000)] * 2 + [silence(100, 16000)] * 6:
            await model.send_audio(chunk)
        events = await read_until(model, ResponseDone)
        assert of(events, InputStarted)[0].audio_start_ms == 0
        assert of(events, InputDone)[0].audio_end_ms == 700
        await model.close()


async def test_it_refuses_typed_text_and_tool_results_without_sending_anything() -> None:
    async with FakeDashScope() as fake:
        model = await connected(fake)
        before = len(fake.received)
        with pytest.raises(ModelUnsupported) as text_error:
            await model.send_text("hello")
        with pytest.raises(ModelUnsupported) as tool_error:
            await model.send_tool_result("call_1", "x", "{}")
        assert text_error.value.code == "text_input_unsupported"
        assert tool_error.value.code == "tools_unsupported"
        assert not model.capabilities.text_input and not model.capabilities.tools
        await model.truncate("item_1", 100)  # no truncate in this API: nothing is sent
        assert len(fake.received) == before
        await model.close()


async def test_it_sends_images_and_cancels_a_response() -> None:
    async with FakeDashScope(replies=(Reply(audio_ms=2000, chunk_delay_s=0.02),)) as fake:
        model = await connected(fake, turn_detection=None)
        jpeg = base64.b64encode(b"\xff\xd8\xff\xe0fake-jpeg").decode()
        await model.send_image(jpeg)
        await model.send_audio(tone(200, 16000))
        await model.commit_audio()
        await read_until(model, AudioDelta)
        await model.cancel_response()
        events = await read_until(model, ResponseDone)
        assert of(events, ResponseDone)[0].status == "cancelled"
        assert fake.sent_of("input_image_buffer.append")[0]["image"] == jpeg
        assert not of(events, ModelError)
        await model.close()


async def test_it_reports_a_drop_mid_response() -> None:
    async with FakeDashScope(replies=(Reply(drop_after_chunks=1),)) as fake:
        model = await connected(fake, turn_detection=None)
        await model.send_audio(tone(200, 16000))
        await model.commit_audio()
        events = await read_all(model)
        assert isinstance(events[-1], ModelDisconnected)
        await model.close()
        assert engine_tasks() == []
