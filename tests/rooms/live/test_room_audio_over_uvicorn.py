"""A person's audio through the documented uvicorn server, whose room protocol hands each audio frame
to the room on the spot while the person's consumer is idle (``DIRECT_TEXT``): every chunk reaches
the provider once and in order, however the frames are split between that path and the queued one,
and speech heard on that path still interrupts a speaking agent. The client offers no compression:
a compressed frame hands the socket back to uvicorn's stock protocol (README, "Deployment")."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import numpy as np
import pytest
import websockets
from asgiref.sync import sync_to_async

from agents.services.agents import agent_create
from agents.services.credentials import provider_credential_create
from tests.fakes import FakeOpenAI
from tests.fakes.script import Reply
from tests.rooms.live.conftest import audio_event, mint
from tests.support.platform_server import platform_process

pytestmark = pytest.mark.django_db(transaction=True)

RATE = 24_000  # the provider's own input rate: what the client sends reaches it byte for byte


def _chunk(index: int, amplitude: int) -> bytes:
    """20 ms that tell one chunk from another."""
    t = np.arange(RATE // 50) / RATE
    return (amplitude * np.sin(2 * np.pi * (200 + 7 * index) * t)).astype("<i2").tobytes()


async def _until(ws: Any, kind: str, timeout: float = 15.0) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == kind:
                return event


def _manual_agent(world: Any, url: str) -> None:
    credential = provider_credential_create(organization=world.acme, name="fake openai", provider="openai",
                                            api_key="sk-test", base_url=url)
    # Manual turns: the fake has no VAD of its own, so only the room's can hear the person.
    agent_create(organization=world.acme, name="Oa", slug="oa", provider="openai", credential=credential,
                 turn_detection="manual", input_transcription=False, is_default=True)


def _provider_order(fake: FakeOpenAI) -> list[str | bytes]:
    """Audio chunks and images, in the order the provider received them."""
    order: list[str | bytes] = []
    for frame in fake.received:
        if frame.get("type") == "input_audio_buffer.append":
            order.append(base64.b64decode(frame["audio"]))
        elif frame.get("type") == "conversation.item.create":
            order += [part["image_url"].partition(",")[2] for part in frame["item"]["content"]
                      if part.get("type") == "input_image"]
    return order


def _appended(fake: FakeOpenAI) -> list[bytes]:
    return [base64.b64decode(f["audio"]) for f in fake.sent_of("input_audio_buffer.append")]


async def test_audio_arrives_once_and_in_order_and_speech_interrupts_the_agent(world: Any) -> None:
    reply = Reply(text="a long answer", audio_ms=8000, chunk_ms=40, chunk_delay_s=0.04)
    async with FakeOpenAI(api_key="sk-test", default_reply=reply) as fake:
        await sync_to_async(_manual_agent)(world, fake.url)
        token = mint(world.acme_key, world.acme_secret, identity="alice", room="uvicorn-audio")
        with platform_process("uvicorn") as (base, _proc):
            async with websockets.connect(base.replace("http://", "ws://") + f"/ws/room?access_token={token}",
                                          origin="http://localhost", compression=None) as ws:
                await _until(ws, "server_session_created")
                quiet = [_chunk(i, 300) for i in range(60)]
                # In bursts that each start with an image: the consumer's task takes that one, and the
                # audio read with it waits in the queue behind it rather than overtaking it.
                sent: list[str | bytes] = []
                for i, pcm in enumerate(quiet):
                    if i % 10 == 0:
                        await asyncio.sleep(0.05)
                        image = base64.b64encode(f"burst {i}".encode()).decode()
                        await ws.send(json.dumps({"type": "client_image_append", "image": image}))
                        sent.append(image)
                    await ws.send(json.dumps(audio_event(pcm, RATE)))
                    sent.append(pcm)
                await fake.wait_for("input_audio_buffer.append", count=len(quiet), timeout=10)
                assert _provider_order(fake) == sent

                await ws.send(json.dumps({"type": "client_text_append", "text": "tell me everything"}))
                delta = await _until(ws, "agent_response_audio_delta")
                loud = [_chunk(100 + i, 9000) for i in range(5)]
                for pcm in loud:
                    await ws.send(json.dumps(audio_event(pcm, RATE)))
                cancelled = await _until(ws, "agent_response_cancelled")
                assert (cancelled["response_id"], cancelled["reason"]) == (delta["response_id"], "barge_in")
                await fake.wait_for("response.cancel", timeout=5)
                await fake.wait_for("input_audio_buffer.append", count=len(quiet) + len(loud), timeout=5)
                assert _appended(fake) == quiet + loud
                # Nothing of the interrupted answer follows the flush signal.
                with pytest.raises(TimeoutError):
                    async with asyncio.timeout(0.5):
                        while True:
                            event = json.loads(await ws.recv())
                            assert not (event["type"] == "agent_response_audio_delta"
                                        and event["response_id"] == delta["response_id"])


async def test_audio_the_direct_path_cannot_take_is_still_answered(world: Any) -> None:
    """A listener's audio and a broken chunk leave the direct path untouched: the consumer's own
    path answers each with its error event, the socket stays open, and the provider gets nothing."""
    async with FakeOpenAI(api_key="sk-test") as fake:
        await sync_to_async(_manual_agent)(world, fake.url)
        listener = mint(world.acme_key, world.acme_secret, identity="lee", room="uvicorn-listen", can_publish=False)
        with platform_process("uvicorn") as (base, _proc):
            async with websockets.connect(base.replace("http://", "ws://") + f"/ws/room?access_token={listener}",
                                          origin="http://localhost", compression=None) as ws:
                await _until(ws, "server_session_created")
                await ws.send(json.dumps(audio_event(_chunk(1, 300), RATE)))
                refused = await _until(ws, "server_error")
                assert refused["code"] == "publish_not_allowed"
                await ws.send(json.dumps(audio_event(_chunk(2, 300), RATE) | {"audio": "not base64!"}))
                broken = await _until(ws, "server_error")
                assert broken["code"] == "invalid_base64"
                await ws.send(json.dumps(audio_event(_chunk(3, 300), RATE)))  # the socket is still open
                assert (await _until(ws, "server_error"))["code"] == "publish_not_allowed"
        assert fake.sent_of("input_audio_buffer.append") == []
