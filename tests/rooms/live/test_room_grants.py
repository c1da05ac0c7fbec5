"""Every grant rule of /ws/room, and each close code at connect."""

from __future__ import annotations

import time

import pytest

from rooms.grants.builder import mint as mint_token
from rooms.grants.claims import VideoGrant
from tests.rooms.live.conftest import audio_event, mint, tone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_local")]


async def join(clients, token: str):
    client = clients(f"/ws/room?access_token={token}")
    assert await client.connect()
    await client.wait_for("server_session_created")
    return client


async def test_it_closes_4401_without_a_token(clients):
    client = clients("/ws/room")
    assert await client.connect()
    closed = await client.wait_closed()
    assert closed["code"] == 4401 and closed["reason"].startswith("unauthorized")


@pytest.mark.parametrize("reason", ["expired", "bad_signature", "unknown_key"])
async def test_it_closes_4401_with_the_rejection_reason(world, clients, reason):
    if reason == "expired":
        token = mint_token(world.acme_key, world.acme_secret, identity="a", video=VideoGrant(room_join=True, room="r"),
                           now=int(time.time()) - 7 * 3600)
    elif reason == "bad_signature":
        token = mint(world.acme_key, "not-the-secret")
    else:
        token = mint("APIunknown", world.acme_secret)
    client = clients(f"/ws/room?access_token={token}")
    assert await client.connect()
    closed = await client.wait_closed()
    assert closed["code"] == 4401
    assert closed["reason"] == f"unauthorized: {reason}"


async def test_it_closes_4403_without_room_join(world, clients):
    client = clients(f"/ws/room?access_token={mint(world.acme_key, world.acme_secret, room_join=False)}")
    assert await client.connect()
    closed = await client.wait_closed()
    assert closed["code"] == 4403 and closed["reason"].startswith("forbidden")


async def test_it_closes_4403_without_an_identity(world, clients):
    client = clients(f"/ws/room?access_token={mint(world.acme_key, world.acme_secret, identity='')}")
    assert await client.connect()
    assert (await client.wait_closed())["code"] == 4403


async def test_it_closes_4409_when_the_room_is_full(world, echo, clients):
    config = {"maxParticipants": 1}
    await join(clients, mint(world.acme_key, world.acme_secret, identity="a", room_config=config))
    second = clients(f"/ws/room?access_token={mint(world.acme_key, world.acme_secret, identity='b')}")
    assert await second.connect()
    closed = await second.wait_closed()
    assert closed["code"] == 4409 and closed["reason"].startswith("room_full")


async def test_it_keeps_organizations_apart_in_rooms_of_the_same_name(world, echo, clients):
    alice = await join(clients, mint(world.acme_key, world.acme_secret, identity="alice"))
    charlie = await join(clients, mint(world.globex_key, world.globex_secret, identity="charlie"))
    await charlie.send({"type": "client_data_publish", "payload": "psst"})
    await alice.send({"type": "client_data_publish", "payload": "hello acme"})
    with pytest.raises(AssertionError):
        await alice.wait_for(lambda e: e["type"] in ("room_participant_joined", "room_data_received"), timeout=1)
    assert not [e for e in charlie.events if e["type"] == "room_data_received"]


async def test_it_rejects_media_without_can_publish_and_keeps_the_socket(world, echo, clients):
    client = await join(clients, mint(world.acme_key, world.acme_secret, can_publish=False))
    await client.send({"type": "client_text_append", "text": "hi"})
    error = await client.wait_for("server_error")
    assert error["code"] == "publish_not_allowed"
    await client.send(audio_event(tone(0.1)))
    await client.wait_for(lambda e: e["type"] == "server_error" and e is not error)
    assert not [e for e in client.events if e["type"] == "agent_response_created"]
    assert client.closed is None


async def test_it_rejects_audio_when_sources_exclude_the_microphone(world, echo, clients):
    client = await join(clients, mint(world.acme_key, world.acme_secret, can_publish_sources=("camera",)))
    await client.send(audio_event(tone(0.1)))
    assert (await client.wait_for("server_error"))["code"] == "publish_not_allowed"


async def test_it_rejects_data_without_can_publish_data(world, echo, clients):
    client = await join(clients, mint(world.acme_key, world.acme_secret, can_publish_data=False))
    await client.send({"type": "client_data_publish", "payload": "x"})
    assert (await client.wait_for("server_error"))["code"] == "publish_data_not_allowed"


async def test_it_sends_no_agent_audio_or_data_to_a_non_subscriber(world, echo, clients):
    talker = await join(clients, mint(world.acme_key, world.acme_secret, identity="talker"))
    deaf = await join(clients, mint(world.acme_key, world.acme_secret, identity="deaf", can_subscribe=False))
    await talker.send({"type": "client_data_publish", "payload": "for everyone"})
    await talker.send({"type": "client_text_append", "text": "say something"})
    await deaf.wait_for("agent_response_done", timeout=15)
    await talker.wait_for("agent_response_done", timeout=15)
    assert any(e["type"] == "agent_response_audio_delta" for e in talker.events)
    assert not any(e["type"] in ("agent_response_audio_delta", "room_data_received") for e in deaf.events)
    assert any(e["type"] == "agent_response_audio_transcript_done" for e in deaf.events)


async def test_it_does_not_announce_a_hidden_participant(world, echo, clients):
    seen = await join(clients, mint(world.acme_key, world.acme_secret, identity="seen"))
    await join(clients, mint(world.acme_key, world.acme_secret, identity="ghost", hidden=True))
    await join(clients, mint(world.acme_key, world.acme_secret, identity="visible"))
    joined = await seen.wait_for(lambda e: e["type"] == "room_participant_joined")
    assert joined["participant"]["identity"] == "visible"
    assert not [e for e in seen.events if e.get("participant", {}).get("identity") == "ghost"]


async def test_it_routes_data_by_topic_and_destination_and_limits_size(world, echo, clients):
    a = await join(clients, mint(world.acme_key, world.acme_secret, identity="a"))
    b = await join(clients, mint(world.acme_key, world.acme_secret, identity="b"))
    c = await join(clients, mint(world.acme_key, world.acme_secret, identity="c"))
    await a.send({"type": "client_data_publish", "payload": "only b", "topic": "chat", "destination_identities": ["b"]})
    got = await b.wait_for("room_data_received")
    assert got == {"type": "room_data_received", "payload": "only b", "topic": "chat", "sender_identity": "a",
                   "reliable": True}
    await a.send({"type": "client_data_publish", "payload": "all", "topic": "news"})
    assert (await c.wait_for("room_data_received"))["payload"] == "all"
    assert not [e for e in c.events if e.get("payload") == "only b"]
    assert not [e for e in a.events if e["type"] == "room_data_received"]
    await a.send({"type": "client_data_publish", "payload": "x" * (15 * 1024 + 1)})
    assert (await a.wait_for("server_error"))["code"] == "payload_too_large"
    await a.send({"type": "client_data_publish", "payload": "x" * (15 * 1024)})
    assert len((await b.wait_for(lambda e: e.get("payload", "").startswith("xxx")))["payload"]) == 15 * 1024


async def test_it_lets_only_a_room_admin_manage_the_room(world, echo, clients):
    admin = await join(clients, mint(world.acme_key, world.acme_secret, identity="boss", room_admin=True))
    user = await join(clients, mint(world.acme_key, world.acme_secret, identity="user"))
    await user.send({"type": "client_room_end"})
    assert (await user.wait_for("server_error"))["code"] == "room_admin_required"
    await admin.send({"type": "client_room_update_metadata", "metadata": '{"topic": "q3"}'})
    assert (await user.wait_for("room_metadata_changed"))["metadata"] == '{"topic": "q3"}'
    await admin.send({"type": "client_room_remove_participant", "identity": "user"})
    closed = await user.wait_closed()
    assert closed["code"] == 4410
    left = await admin.wait_for("room_participant_left")
    assert left["participant"]["identity"] == "user" and left["reason"] == "removed"
    await admin.send({"type": "client_room_end"})
    ended = await admin.wait_for("server_session_ended")
    assert ended["reason"] == "admin_ended"
    assert (await admin.wait_closed())["code"] == 1000


async def test_it_needs_can_update_own_metadata_to_change_metadata(world, echo, clients):
    plain = await join(clients, mint(world.acme_key, world.acme_secret, identity="plain"))
    await plain.send({"type": "client_participant_update", "metadata": "m"})
    assert (await plain.wait_for("server_error"))["code"] == "update_metadata_not_allowed"
    allowed = await join(clients, mint(world.acme_key, world.acme_secret, identity="allowed", can_update_own_metadata=True))
    await allowed.send({"type": "client_participant_update", "metadata": "new", "attributes": {"lang": "fr"}})
    changed = await plain.wait_for("room_participant_metadata_changed")
    assert changed["participant"]["identity"] == "allowed"
    assert changed["participant"]["metadata"] == "new" and changed["participant"]["attributes"] == {"lang": "fr"}


async def test_it_answers_bad_input_with_error_events_and_stays_open(world, echo, clients):
    client = await join(clients, mint(world.acme_key, world.acme_secret))
    await client.send_raw("not json")
    assert (await client.wait_for("server_error"))["code"] == "invalid_json"
    await client.send({"type": "client_nope"})
    await client.wait_for(lambda e: e.get("code") == "unknown_type")
    await client.send({"type": "client_audio_append", "audio": "!!!", "format": {"type": "audio/pcm", "rate": 16000}})
    await client.wait_for(lambda e: e.get("code") == "invalid_base64")
    await client.send({"type": "client_text_append", "text": "still here"})
    await client.wait_for("agent_response_done", timeout=15)
