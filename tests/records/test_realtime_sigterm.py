"""Stopping a realtime process with SIGTERM mid-conversation loses nothing: the transcript so far is
persisted and the shutdown hooks run to completion in Celery, not in the dying process."""

from __future__ import annotations

import asyncio
import json
import signal
import time

import pytest
import websockets
from asgiref.sync import sync_to_async

from agents.services.agents import agent_create
from rooms.models import Session
from rooms.records.models import HookDelivery, ShutdownHook, TranscriptEntry
from tests.rooms.live.conftest import mint
from tests.support.platform_server import platform_process
from tests.support.servers import REPO, SERVERS


async def _until(ws, predicate, timeout: float = 15.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await ws.recv())
            if predicate(event):
                return event


def _wait_db(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    return check()


@pytest.mark.celery_worker
@pytest.mark.parametrize("server", SERVERS)
async def test_sigterm_mid_conversation_keeps_the_transcript_and_runs_hooks(world, celery_workers, server):
    await sync_to_async(celery_workers.start)()
    agent = await sync_to_async(agent_create)(organization=world.acme, name="Echo", slug="echo", provider="local",
                                              is_default=True)
    await sync_to_async(ShutdownHook.objects.create)(organization=world.acme, agent=agent, kind="python",
                                                     python_name="store_report", order=0)
    token = mint(world.acme_key, world.acme_secret, identity="alice", room="doomed")
    with platform_process(server, LOCAL_MODEL_SPEED="8") as (base, proc):
        async with websockets.connect(base.replace("http://", "ws://") + f"/ws/room?access_token={token}",
                                      origin="http://localhost") as ws:
            created = await _until(ws, lambda e: e["type"] == "server_session_created")
            for text in ("first question", "second question"):
                await ws.send(json.dumps({"type": "client_text_append", "text": text}))
                await _until(ws, lambda e: e["type"] == "agent_response_done")
            await ws.send(json.dumps({"type": "client_text_append", "text": "third, cut off midway"}))
            await _until(ws, lambda e: e["type"] == "agent_response_audio_delta")
            proc.send_signal(signal.SIGTERM)
            ended = await _until(ws, lambda e: e["type"] == "server_session_ended")
            assert ended["reason"] == "process_shutdown"
        assert await asyncio.to_thread(proc.wait, 30) is not None
    server_log = REPO / ".run" / f"{server}-{base.rsplit(':', 1)[1]}.log"
    assert token not in server_log.read_text(), "room grants must not end up in the server's log"

    def landed():
        session = Session.objects.get(public_id=created["session_id"])
        entries = list(TranscriptEntry.objects.filter(session=session).order_by("position"))
        hooks = list(HookDelivery.objects.filter(session=session))
        done = hooks and all(h.status == "succeeded" for h in hooks)
        return (session, entries, hooks) if done and len(entries) >= 5 else None

    result = await sync_to_async(_wait_db)(landed)
    assert result, "transcript and hook deliveries did not land"
    session, entries, _hooks = result
    assert session.end_reason == "process_shutdown"
    texts = [(e.role, e.text) for e in entries]
    assert ("user", "first question") in texts and ("user", "second question") in texts
    assert ("user", "third, cut off midway") in texts
    assert sum(1 for role, text in texts if role == "agent" and "first question" in text) == 1
    assert len({(e.item_id, e.seq) for e in entries}) == len(entries)
    assert session.report, "the store_report hook stored the end-of-session report on the session"
