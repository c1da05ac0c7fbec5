"""A session: bad input answered and survived, abuse closed with a documented code, handoff, end."""

from __future__ import annotations

import asyncio
import base64
import json

from agents.realtime.events import ClientEvent, ClientSessionCreate
from agents.realtime.session import CLOSE_FLOOD, CLOSE_TOO_BIG, FRAME_BURST, MAX_FRAME_BYTES, RealtimeSession
from agents.realtime.spec import AgentSpec, ToolSpec
from tests.realtime.helpers import FAST, Recorder, local_spec

TRANSFER = ToolSpec("transfer_to_agent", "Hand over", {"type": "object", "properties": {"agent": {"type": "string"}},
                                                      "required": ["agent"]}, kind="python")
END = ToolSpec("end_session", "Finish", {"type": "object", "properties": {}}, kind="python")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def open_session(spec: AgentSpec | None = None, **kwargs: object) -> tuple[RealtimeSession, Recorder]:
    rec = Recorder()
    session = RealtimeSession(rec, session_id="session1", default_urls={}, **kwargs)  # type: ignore[arg-type]
    if spec is not None:
        assert await session.start(spec)
    return session, rec


async def test_it_answers_each_kind_of_bad_input_and_keeps_going() -> None:
    session, rec = await open_session(local_spec())
    bad = ["{oops", json.dumps({"type": "client_fly"}), json.dumps({"type": "client_text_append"}),
           json.dumps({"type": "client_audio_append", "audio": "!!", "format": {"type": "audio/pcm", "rate": 16000}}),
           json.dumps({"type": "client_audio_append", "audio": "AAAA", "format": {"type": "audio/pcm", "rate": 16000}}),
           json.dumps({"type": "client_text_append", "text": "x" * 9000})]
    for frame in bad:
        outcome = await session.feed(frame)
        assert outcome.close_code is None
    await session.feed(json.dumps({"type": "client_text_append", "text": "still fine"}))
    await rec.wait_for("agent_response_done")
    await session.close("test over")
    assert [e["code"] for e in rec.of("agent_error")] == [
        "invalid_json", "unknown_type", "missing_field", "invalid_base64", "odd_byte_count", "text_too_large"]
    assert all(e["message"] and e["agent_name"] == "Friday" for e in rec.of("agent_error"))
    assert rec.flow() == ["agent_ready", "server_session_created", *["agent_error"] * 6,
                          "agent_response_created", "agent_response_audio_done",
                          "agent_response_audio_transcript_done", "agent_response_done", "agent_ended",
                          "server_session_ended"]


async def test_it_hands_session_create_back_and_reports_input_before_a_session() -> None:
    session, rec = await open_session()
    outcome = await session.feed(json.dumps({"type": "client_session_create",
                                             "config": {"instructions": "hi", "agent_name": "Friday"}}))
    assert isinstance(outcome.event, ClientSessionCreate) and not outcome.handled
    await session.feed(json.dumps({"type": "client_text_append", "session_id": "session1", "text": "hi"}))
    await session.feed("not json")
    assert [(e["type"], e["code"]) for e in rec.events] == [("server_error", "no_session"),
                                                            ("server_error", "invalid_json")]


async def test_it_hands_extra_room_events_to_the_caller() -> None:
    class RoomLeave(ClientEvent):
        pass

    session, _ = await open_session(local_spec(), extra_events={"room_leave": RoomLeave})
    outcome = await session.feed(json.dumps({"type": "room_leave"}))
    await session.close()
    assert isinstance(outcome.event, RoomLeave) and not outcome.handled


async def test_it_closes_with_1009_on_a_frame_over_the_hard_cap() -> None:
    session, _ = await open_session(local_spec())
    outcome = await session.feed("x" * (MAX_FRAME_BYTES + 1))
    await session.close()
    assert outcome.close_code == CLOSE_TOO_BIG


async def test_it_drops_a_short_burst_but_closes_a_sustained_flood_with_4008() -> None:
    clock = Clock()
    session, rec = await open_session(local_spec(), clock=clock)
    silence = json.dumps({"type": "client_audio_append", "audio": base64.b64encode(bytes(640)).decode(),
                          "format": {"type": "audio/pcm", "rate": 16000}})
    for _ in range(FRAME_BURST + 50):  # one burst: some dropped, reported once
        assert (await session.feed(silence)).close_code is None
    assert [e["code"] for e in rec.of("agent_error")] == ["rate_limited"]
    codes = []
    for _ in range(5):  # keep flooding for seconds on end
        clock.now += 1.0
        for _ in range(400):
            codes.append((await session.feed(silence)).close_code)
    await session.close()
    assert CLOSE_FLOOD in codes


async def test_it_keeps_a_steady_real_time_stream_open() -> None:
    clock = Clock()
    session, rec = await open_session(local_spec(), clock=clock)
    frame = json.dumps({"type": "client_audio_append", "audio": base64.b64encode(bytes(640)).decode(),
                        "format": {"type": "audio/pcm", "rate": 16000}})
    for _ in range(50 * 10):  # 10 s of 20 ms frames
        clock.now += 0.02
        assert (await session.feed(frame)).close_code is None
    await session.close()
    assert rec.of("agent_error") == []


async def test_it_hands_over_to_another_agent_with_the_conversation() -> None:
    sales = AgentSpec("agent-2", "Sales", "Sell.", metadata=dict(FAST), greeting="Sales here.")
    asked: list[str] = []

    async def resolve(slug: str) -> AgentSpec | None:
        asked.append(slug)
        return sales if slug == "sales" else None

    session, rec = await open_session(local_spec(tools=(TRANSFER,)), resolve_agent=resolve)
    await session.feed(json.dumps({"type": "client_text_append", "text": 'use tool transfer_to_agent {"agent": "nobody"}'}))
    await rec.wait_for("agent_response_done", count=2)
    await session.feed(json.dumps({"type": "client_text_append", "text": 'use tool transfer_to_agent {"agent": "sales"}'}))
    await rec.wait_for(lambda e: e["type"] == "agent_response_done" and e["agent_id"] == "agent-2")
    await session.feed(json.dumps({"type": "client_text_append", "text": "hi sales"}))
    await rec.wait_for(lambda e: e["type"] == "agent_response_done" and e["agent_id"] == "agent-2", count=2)
    await session.close()

    assert asked == ["nobody", "sales"]
    results = [e["tool_result"]["output"][0]["text"] for e in rec.of("agent_response_tool_result")]
    assert json.loads(results[0]) == {"error": "no agent named 'nobody' is available"}
    assert results[1] == "Transferred to sales."
    handoff = [(e["type"], e.get("agent_name")) for e in rec.events
               if e["type"] in ("agent_ended", "agent_ready", "server_session_updated", "server_session_ended")]
    assert handoff == [("agent_ready", "Friday"), ("agent_ended", "Friday"), ("agent_ready", "Sales"),
                       ("server_session_updated", None), ("agent_ended", "Sales"), ("server_session_ended", None)]
    assert session.bridge is not None and session.bridge.spec.agent_id == "agent-2"
    roles = [(i.role, i.agent_name) for i in session.conversation]
    assert roles[:2] == [("user", "Friday"), ("tool", "Friday")] and ("assistant", "Sales") in roles
    model = session.bridge.model
    assert model is not None and [h.role for h in model.history][:2] == ["user", "tool"]  # type: ignore[attr-defined]


async def test_it_ends_the_session_from_the_end_session_tool() -> None:
    session, rec = await open_session(local_spec(tools=(END,)))
    await session.feed(json.dumps({"type": "client_text_append", "text": "use tool end_session {}"}))
    await rec.wait_for("server_session_ended")
    assert session.ended
    assert rec.flow()[-4:] == ["agent_response_done", "agent_response_tool_result", "agent_ended",
                               "server_session_ended"]
    assert (await session.feed(json.dumps({"type": "client_text_append", "text": "hello?"}))).close_code is None
    await session.close()
    assert rec.flow().count("server_session_ended") == 1


async def test_it_ends_the_session_on_client_session_end_leaving_no_task() -> None:
    before = asyncio.all_tasks()
    session, rec = await open_session(local_spec(metadata={"local_speed": "1"}))
    await session.feed(json.dumps({"type": "client_text_append", "text": "a long answer please"}))
    await rec.wait_for("agent_response_audio_delta")
    await session.feed(json.dumps({"type": "client_session_end", "session_id": "session1"}))
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before == set()
    assert rec.flow()[-6:] == ["agent_response_cancelled", "agent_response_audio_done",
                               "agent_response_audio_transcript_done", "agent_response_done", "agent_ended",
                               "server_session_ended"]


async def test_it_reports_a_session_whose_agent_cannot_start() -> None:
    session, rec = await open_session()
    assert not await session.start(local_spec(metadata={"local_refuse_connect": "1"}))
    assert rec.flow() == ["agent_error", "agent_ended", "server_session_ended"]
