"""The sessions list, the session page and the dashboard's live blocks, as owner, member and outsider."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agents.services.agents import agent_create
from rooms.models import Participant, Room, RoomStatus, Session
from rooms.records.models import HookDelivery, TranscriptEntry
from tenancy.models import Organization
from tests.conftest import World


def _session(org: Organization, name: str, *, agent: str = "helper") -> Session:
    started = timezone.now() - timedelta(minutes=3)
    room = Room.objects.create(organization=org, name=name, status=RoomStatus.ENDED, ended=started + timedelta(seconds=42))
    session = Session.objects.create(organization=org, room=room, agents=[{"slug": agent, "name": agent.title()}],
                                     metrics={"a1": {"first_audio_ms": [100.0, 300.0, 200.0], "response_ms": [900.0],
                                                     "provider_round_trips": 3, "counts": {}}})
    Session.objects.filter(pk=session.pk).update(started=started, ended=started + timedelta(seconds=42),
                                                 end_reason="client_ended")
    common = {"organization": org, "session": session, "room": room}
    TranscriptEntry.objects.create(**common, item_id="u1", position=0, role="user", speaker="alice",
                                   text=f"hello from {name}")
    TranscriptEntry.objects.create(**common, item_id="a1", position=1, role="agent", speaker=agent.title(),
                                   agent=agent, text=f'Local model heard: "hello from {name}"')
    TranscriptEntry.objects.create(**common, item_id="t1", position=2, role="tool", speaker=agent.title(),
                                   tool={"name": "browser_timezone", "arguments": "{}",
                                         "output": '{"time_zone": "UTC"}', "is_error": False})
    HookDelivery.objects.create(organization=org, session=session, kind="webhook", target="https://hooks.example/end",
                                status="failed", attempts=3, max_attempts=3, response_code=502,
                                deadline=timezone.now(), error="bad gateway")
    session.refresh_from_db()
    return session


@pytest.fixture
def sessions(world: World) -> dict[str, Session]:
    return {"acme": _session(world.acme, "acme-standup"), "globex": _session(world.globex, "globex-secret")}


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_it_lists_the_organizations_sessions_for_owner_and_member(world: World, sessions: dict[str, Session],
                                                                   web_as: Callable[..., Client], who: str) -> None:
    page = web_as(getattr(world, who)).get("/sessions/").content.decode()
    assert "acme-standup" in page
    assert f"/sessions/{sessions['acme'].public_id}/" in page
    assert "42.0 s" in page
    assert "globex-secret" not in page


def test_it_shows_an_outsider_only_their_own_sessions(world: World, sessions: dict[str, Session],
                                                      web_as: Callable[..., Client]) -> None:
    page = web_as(world.charlie).get("/sessions/").content.decode()
    assert "globex-secret" in page and "acme-standup" not in page


def test_it_filters_sessions_by_room_agent_and_date(world: World, sessions: dict[str, Session],
                                                    web_as: Callable[..., Client]) -> None:
    _session(world.acme, "acme-retro", agent="critic")
    client = web_as(world.alice)
    by_room = client.get("/sessions/", {"room": "acme-retro"}).content.decode()
    assert "acme-retro" in by_room and "acme-standup" not in by_room
    by_agent = client.get("/sessions/", {"agent": "helper"}).content.decode()
    assert "acme-standup" in by_agent and "acme-retro" not in by_agent
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert 'data-testid="no-sessions"' in client.get("/sessions/", {"since": tomorrow}).content.decode()


def test_it_refuses_a_malformed_date_filter_with_a_code(world: World, web_as: Callable[..., Client]) -> None:
    response = web_as(world.alice).get("/sessions/", {"since": "last tuesday"})
    assert response.status_code == 400
    assert b'data-code="invalid_date"' in response.content


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_it_shows_a_session_with_transcript_tools_hooks_and_latency(world: World, sessions: dict[str, Session],
                                                                    web_as: Callable[..., Client], who: str) -> None:
    session = sessions["acme"]
    response = web_as(getattr(world, who)).get(f"/sessions/{session.public_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "hello from acme-standup" in page
    assert "Local model heard: &quot;hello from acme-standup&quot;" in page
    assert "browser_timezone({})" in page and "{&quot;time_zone&quot;: &quot;UTC&quot;}" in page
    assert "https://hooks.example/end" in page and "HTTP 502" in page
    assert "200.0 ms" in page, "the median of the recorded first-audio latencies"
    assert f"/api/sessions/{session.public_id}/transcript.txt" in page
    assert f"/api/sessions/{session.public_id}/transcript/" in page


def test_it_hides_another_organizations_session_as_not_found(world: World, sessions: dict[str, Session],
                                                             web_as: Callable[..., Client]) -> None:
    foreign = web_as(world.charlie).get(f"/sessions/{sessions['acme'].public_id}/")
    missing = web_as(world.charlie).get("/sessions/00000000-0000-0000-0000-000000000000/")
    assert foreign.status_code == missing.status_code == 404


def test_it_fills_the_dashboard_with_agents_live_rooms_and_recent_sessions(world: World, sessions: dict[str, Session],
                                                                           web_as: Callable[..., Client]) -> None:
    agent_create(organization=world.acme, name="Helper", slug="helper", is_default=True)
    agent_create(organization=world.globex, name="Spy", slug="spy")
    live = Room.objects.create(organization=world.acme, name="live-standup")
    Participant.objects.create(organization=world.acme, room=live, identity="alice", name="Alice")
    Participant.objects.create(organization=world.acme, room=live, identity="agent-helper", name="Helper",
                               kind="agent", agent_slug="helper")
    Participant.objects.create(organization=world.acme, room=live, identity="gone", name="Gone",
                               left=timezone.now())
    Room.objects.create(organization=world.globex, name="globex-live")
    page = web_as(world.bob).get("/").content.decode()
    assert "Helper" in page and "helper" in page and "Spy" not in page
    assert "live-standup" in page and "People: Alice" in page and "Agents: Helper" in page
    assert "Gone" not in page and "globex-live" not in page
    assert "acme-standup" in page and "globex-secret" not in page
