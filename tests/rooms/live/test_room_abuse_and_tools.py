"""/ws/room under bad input and abuse; the session tools (handoff, end); an agent that cannot start.

Everything goes through the real ASGI application: middleware, ``RoomConsumer``, ``RoomRuntime``
and agents configured in the database (the offline ``local`` model, or the fake OpenAI server).
"""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from channels.db import database_sync_to_async

from agents.realtime.events import MAX_AUDIO_CHUNK_BYTES, MAX_TEXT_CHARS
from agents.services.agents import agent_create
from agents.services.tools import tool_create
from rooms import close_codes
from rooms.models import Session
from rooms.runtime.flood import BURST, MAX_FRAME_BYTES, RATE_PER_SECOND
from rooms.runtime.registry import registry
from tests.fakes import FakeOpenAI
from tests.rooms.live.conftest import audio_event, default_openai_agent, mint, tone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_local")]

PCM = {"type": "audio/pcm", "rate": 16000}
SILENCE_20MS = audio_event(bytes(640))  # one 20 ms frame of 16 kHz PCM16


async def join(clients, world, *, identity: str = "alice", room: str = "lobby"):
    client = clients(f"/ws/room?access_token={mint(world.acme_key, world.acme_secret, identity=identity, room=room)}")
    assert await client.connect()
    await client.wait_for("server_session_created")
    return client


def of(client, kind: str) -> list[dict]:
    return [e for e in client.events if e["type"] == kind]


# --- bad input: one error event each, the socket stays open ----------------------------------------

BAD_FRAMES = [
    ("{oops", "invalid_json"),
    (json.dumps({"type": "client_fly"}), "unknown_type"),
    (json.dumps({"text": "no type"}), "missing_field"),
    (json.dumps({"type": "client_text_append"}), "missing_field"),
    (json.dumps({"type": "client_audio_append", "audio": "!!", "format": PCM}), "invalid_base64"),
    (json.dumps({"type": "client_audio_append", "audio": "AAAA", "format": PCM}), "odd_byte_count"),  # 3 bytes
    (json.dumps({"type": "client_audio_append", "format": PCM,
                 "audio": base64.b64encode(bytes(MAX_AUDIO_CHUNK_BYTES + 2)).decode()}), "audio_too_large"),
    (json.dumps({"type": "client_text_append", "text": "x" * (MAX_TEXT_CHARS + 1)}), "text_too_large"),
]


async def test_each_kind_of_bad_input_gets_one_error_event_and_the_socket_keeps_working(world, echo, clients):
    client = await join(clients, world)
    session_id = client.events[-1]["session_id"]
    for n, (frame, code) in enumerate(BAD_FRAMES, start=1):
        await client.send_raw(frame)
        await client.wait_for(lambda e, n=n: len(of(client, "server_error")) >= n, timeout=5)
        error = of(client, "server_error")[-1]
        assert (error["code"], error["session_id"]) == (code, session_id)
        assert error["message"]
    # Exactly at the limits is valid input, and the socket still works.
    await client.send({"type": "client_text_append", "text": "x" * MAX_TEXT_CHARS})
    await client.send(audio_event(bytes(MAX_AUDIO_CHUNK_BYTES)))
    await client.send({"type": "client_text_append", "text": "still fine"})
    await client.wait_for(lambda e: e["type"] == "agent_response_audio_transcript_done"
                          and "still fine" in e["transcript"], timeout=15)
    assert [e["code"] for e in of(client, "server_error")] == [code for _, code in BAD_FRAMES]
    assert of(client, "agent_error") == [] and client.closed is None


# --- abuse: the only things that close the socket --------------------------------------------------


async def test_a_frame_over_the_hard_cap_closes_with_1009(world, echo, clients):
    client = await join(clients, world)
    await client.send_raw("x" * MAX_FRAME_BYTES)  # at the cap: an ordinary bad frame
    assert (await client.wait_for("server_error"))["code"] == "invalid_json"
    await client.send_raw("x" * (MAX_FRAME_BYTES + 1))
    closed = await client.wait_closed()
    assert closed["code"] == close_codes.MESSAGE_TOO_BIG == 1009
    assert closed["reason"].startswith("message_too_big")


async def test_a_burst_is_tolerated_but_a_sustained_flood_closes_with_4008(world, echo, clients):
    client = await join(clients, world)
    burst = int(BURST) - 1  # back to back: far more than one second's worth at RATE_PER_SECOND
    assert burst > 2 * RATE_PER_SECOND
    for _ in range(burst):
        await client.send(SILENCE_20MS)
    await client.send({"type": "client_text_append", "text": "after the burst"})
    await client.wait_for(lambda e: e["type"] == "agent_response_audio_transcript_done"
                          and "after the burst" in e["transcript"], timeout=15)
    assert client.closed is None and of(client, "server_error") == []

    for _ in range(3 * int(BURST)):  # keep going as fast as the socket takes frames
        await client.send(SILENCE_20MS)
    closed = await client.wait_closed(timeout=20)
    assert closed["code"] == close_codes.FLOOD == 4008
    assert closed["reason"].startswith("flood")


async def test_a_steady_real_time_stream_stays_open(world, echo, clients):
    client = await join(clients, world)
    speech, silence = tone(0.5), bytes(16000 * 2)  # 0.5 s of speech, then 1 s of silence
    pcm = speech + silence
    loop = asyncio.get_running_loop()
    started = loop.time()
    for i, at in enumerate(range(0, len(pcm), 640)):  # 20 ms frames at real-time pace: 50 per second
        await asyncio.sleep(max(0.0, started + i * 0.02 - loop.time()))
        await client.send(audio_event(pcm[at:at + 640]))
    assert loop.time() - started >= 1.4
    await client.wait_for("agent_input_done", timeout=10)
    await client.wait_for("agent_response_done", timeout=15)
    assert client.closed is None and of(client, "server_error") == [] and of(client, "agent_error") == []


# --- the session tools -----------------------------------------------------------------------------


def _python_tool(world, name: str, parameters: dict):
    return tool_create(organization=world.acme, name=name, description=name, kind="python", python_function=name,
                       parameters=parameters)


def _handoff_agents(world) -> None:
    transfer = _python_tool(world, "transfer_to_agent", {
        "type": "object", "properties": {"agent": {"type": "string"}, "reason": {"type": "string"}},
        "required": ["agent"]})
    agent_create(organization=world.acme, name="Friday", slug="friday", provider="local", is_default=True,
                 tools=[transfer])
    agent_create(organization=world.acme, name="Sales", slug="sales", provider="local", greeting="Sales here.")


def _tool_output(event: dict) -> str:
    return str(event["tool_result"]["output"][0]["text"])


async def test_transfer_to_agent_hands_over_with_the_conversation_so_far(world, clients):
    await database_sync_to_async(_handoff_agents)(world)
    client = await join(clients, world)
    await client.send({"type": "client_text_append", "text": 'use tool transfer_to_agent {"agent": "nobody"}'})
    refused = await client.wait_for("agent_response_tool_result", timeout=10)
    assert json.loads(_tool_output(refused)) == {"error": "No agent named 'nobody' in this organization"}
    # The refusal goes back to Friday, who says so and stays.
    await client.wait_for(lambda e: e["type"] == "agent_response_audio_transcript_done"
                          and "tool result" in e["transcript"], timeout=15)
    await client.send({"type": "client_text_append", "text": 'use tool transfer_to_agent {"agent": "friday"}'})
    await client.wait_for(lambda e: len(of(client, "agent_response_tool_result")) == 2, timeout=10)
    assert "already in this conversation" in _tool_output(of(client, "agent_response_tool_result")[1])

    await client.send({"type": "client_text_append", "text": 'use tool transfer_to_agent {"agent": "sales"}'})
    updated = await client.wait_for("server_session_updated", timeout=10)
    assert updated["handoff"] == {"from": "friday", "to": "sales", "agent_name": "Sales"}
    assert _tool_output(of(client, "agent_response_tool_result")[2]) == "Transferred to sales."
    greeting = await client.wait_for(lambda e: e["type"] == "agent_response_audio_transcript_done"
                                     and e["agent_id"] == "sales", timeout=15)
    assert greeting["transcript"] == "Sales here."
    await client.send({"type": "client_text_append", "text": "hi sales"})
    reply = await client.wait_for(lambda e: e["type"] == "agent_response_audio_transcript_done"
                                  and "hi sales" in e["transcript"], timeout=15)
    assert (reply["agent_id"], reply["agent_name"]) == ("sales", "Sales")

    lifecycle = [(e["type"], e.get("agent_name")) for e in client.events
                 if e["type"] in ("agent_ready", "agent_ended", "server_session_updated", "server_session_ended")]
    assert lifecycle == [("agent_ready", "Friday"), ("agent_ended", "Friday"), ("agent_ready", "Sales"),
                         ("server_session_updated", None)]
    # Nothing Friday said or did reaches the client after its end; the room keeps going with Sales.
    friday_ended = client.events.index(next(e for e in client.events if e["type"] == "agent_ended"))
    assert not [e for e in client.events[friday_ended + 1:] if e.get("agent_id") == "friday"]
    assert client.closed is None
    # Sales started with the conversation so far (replayed into its fresh model connection).
    (room,) = registry().rooms()
    assert list(room.agents) == ["sales"]
    history = room.agents["sales"].bridge.model.history  # type: ignore[union-attr]
    assert [(h.role, h.text) for h in history][:2] == [
        ("user", 'use tool transfer_to_agent {"agent": "nobody"}'),
        ("tool", 'transfer_to_agent({"agent": "nobody"}) -> {"error": "No agent named \'nobody\' in this organization"}')]
    assert ("user", 'use tool transfer_to_agent {"agent": "sales"}') in [(h.role, h.text) for h in history]


async def test_end_session_ends_the_session(world, clients):
    def agent() -> None:
        end = _python_tool(world, "end_session", {"type": "object", "properties": {"reason": {"type": "string"}}})
        agent_create(organization=world.acme, name="Closer", slug="closer", provider="local", is_default=True,
                     tools=[end])

    await database_sync_to_async(agent)()
    client = await join(clients, world)
    await client.send({"type": "client_text_append", "text": 'use tool end_session {"reason": "done"}'})
    closed = await client.wait_closed(timeout=10)
    assert closed["code"] == close_codes.NORMAL and closed["reason"] == "room_ended: agent_ended"
    tail = [e["type"] for e in client.events if not e["type"].startswith(("agent_state", "agent_metrics"))][-4:]
    assert tail == ["agent_response_done", "agent_response_tool_result", "agent_ended", "server_session_ended"]
    assert _tool_output(of(client, "agent_response_tool_result")[0]) == "Session ending."
    assert of(client, "server_session_ended")[0]["reason"] == "agent_ended"
    session = await database_sync_to_async(Session.objects.get)(room__name="lobby")
    assert session.ended is not None and session.end_reason == "agent_ended"
    assert registry().rooms() == []


# --- an agent that cannot start --------------------------------------------------------------------


async def test_an_agent_that_cannot_start_is_reported_to_the_person_who_joins(world, clients):
    async with FakeOpenAI(api_key="sk-right") as fake:
        await default_openai_agent(world, fake.url, "sk-wrong")
        client = await join(clients, world)
        assert len(fake.rejected) == 1
        error = await client.wait_for("agent_error", timeout=5)
        assert (error["agent_id"], error["code"], error["error_type"]) == ("oa", "provider_connect_failed",
                                                                         "provider_error")
        assert error["message"] == "openai refused the connection: HTTP 401"
        assert client.types() == ["room_joined", "agent_error", "agent_ended", "server_session_created"]
        assert [a["state"] for a in client.events[0]["agents"]] == ["ended"]
        # A second person learns it too, and the socket stays usable for the room.
        other = await join(clients, world, identity="bob")
        assert other.types() == ["room_joined", "agent_error", "agent_ended", "server_session_created"]
        assert other.events[1] == error
        assert (await client.wait_for("room_participant_joined"))["participant"]["identity"] == "bob"
        assert client.closed is None and other.closed is None


# --- the session's edges ---------------------------------------------------------------------------


async def test_client_session_end_mid_reply_closes_the_reply_out_and_leaves_no_task(world, clients, settings):
    settings.LOCAL_MODEL_SPEED = 1.0  # a real-time reply, still streaming when the session ends
    await database_sync_to_async(agent_create)(organization=world.acme, name="Echo", slug="echo", provider="local",
                                               is_default=True)
    before = set(asyncio.all_tasks())
    client = await join(clients, world)
    await client.send({"type": "client_text_append", "text": "a long answer please " * 3})
    delta = await client.wait_for("agent_response_audio_delta", timeout=10)
    await client.send({"type": "client_session_end"})
    closed = await client.wait_closed()
    assert closed["code"] == close_codes.NORMAL
    flow = [e["type"] for e in client.events if e["type"] not in ("agent_state_changed", "agent_metrics")]
    assert flow[-6:] == ["agent_response_cancelled", "agent_response_audio_done",
                         "agent_response_audio_transcript_done", "agent_response_done", "agent_ended",
                         "server_session_ended"]
    done = of(client, "agent_response_done")[-1]
    assert done["response_id"] == delta["response_id"] and done["metadata"]["status"] == "cancelled"
    assert of(client, "server_session_ended")[0]["reason"] == "client_ended"
    await client.comm.disconnect()  # the ASGI application instance of the closed socket finishes too
    await asyncio.sleep(0.1)
    leftover = [t for t in asyncio.all_tasks() - before if not t.done() and t is not asyncio.current_task()]
    assert [repr(t.get_coro()) for t in leftover] == []
    assert registry().rooms() == []


async def test_the_page_endpoint_reports_input_before_a_session_and_a_second_create(world, echo, clients):
    token = mint(world.acme_key, world.acme_secret, identity="You", room="")
    page = clients(f"/ws/You/session1?access_token={token}")
    assert await page.connect()
    await page.send({"type": "client_text_append", "session_id": "session1", "text": "hi"})
    await page.send_raw("not json")
    await page.wait_for(lambda e: len(of(page, "server_error")) == 2)
    assert [(e["code"], e["session_id"]) for e in of(page, "server_error")] == [("no_session", ""),
                                                                                ("invalid_json", "")]
    await page.send({"type": "client_session_create", "config": {"agent": "echo"}})
    created = await page.wait_for("server_session_created")
    await page.send({"type": "client_session_create", "config": {"agent": "echo"}})
    await page.wait_for(lambda e: len(of(page, "server_error")) == 3)
    assert of(page, "server_error")[2]["code"] == "session_exists"
    assert of(page, "server_error")[2]["session_id"] == created["session_id"]
    await page.send({"type": "client_text_append", "session_id": "session1", "text": "now it works"})
    await page.wait_for(lambda e: e["type"] == "agent_response_audio_transcript_done"
                        and "now it works" in e["transcript"], timeout=15)
    assert page.closed is None


async def test_the_room_endpoint_refuses_client_session_create_and_stays_open(world, echo, clients):
    client = await join(clients, world)
    await client.send({"type": "client_session_create", "config": {"agent": "echo"}})
    assert (await client.wait_for("server_error"))["code"] == "session_exists"
    await client.send({"type": "client_text_append", "text": "still here"})
    await client.wait_for("agent_response_done", timeout=15)
    assert len(of(client, "server_session_created")) == 1 and client.closed is None


async def test_a_room_whose_only_agent_loses_its_provider_for_good_ends(world, clients):
    async with FakeOpenAI(api_key="sk-right") as fake:
        await default_openai_agent(world, fake.url, "sk-right")
        client = await join(clients, world)
        await client.wait_for("agent_ready", timeout=5)
        fake.api_key = "sk-rotated"  # every reconnect is refused from now on
        await fake.drop()
        closed = await client.wait_closed(timeout=15)
        assert closed["code"] == close_codes.NORMAL and closed["reason"] == "room_ended: agent_ended"
        assert [e["code"] for e in of(client, "agent_error")] == ["provider_disconnected", "reconnect_failed"]
        assert len(fake.rejected) == 3  # the bridge's three reconnect attempts
        assert of(client, "server_session_ended")[0]["reason"] == "agent_ended"
        session = await database_sync_to_async(Session.objects.get)(room__name="lobby")
        assert session.ended is not None and session.end_reason == "agent_ended"
        assert registry().rooms() == []
