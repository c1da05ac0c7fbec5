from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from rooms.models import Participant, Room, Session
from tenancy.models import Organization


@dataclass
class LiveRoom:
    room: Room
    session: Session
    person: Participant


def make_live_room(org: Organization, name: str = "call-1") -> LiveRoom:
    room = Room.objects.create(organization=org, name=name, host="test-host")
    session = Session.objects.create(organization=org, room=room, agents=[{"slug": "helper", "name": "Helper"}])
    person = Participant.objects.create(organization=org, room=room, identity="caller", name="Caller")
    return LiveRoom(room, session, person)


@pytest.fixture
def acme_room(world) -> LiveRoom:
    return make_live_room(world.acme)


@pytest.fixture
def globex_room(world) -> LiveRoom:
    return make_live_room(world.globex, "their-call")


def wait_until(check: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def item(n: int, *, role: str = "user", seq: int = 0, text: str | None = None) -> dict[str, object]:
    return {"item_id": f"item_{n}", "seq": seq, "role": role, "speaker": "caller" if role == "user" else "helper",
            "agent": "" if role == "user" else "helper", "text": text if text is not None else f"utterance {n}",
            "started_at": f"2026-01-01T10:00:{n % 60:02d}+00:00", "ended_at": f"2026-01-01T10:00:{n % 60:02d}.500000+00:00",
            "tool": None}


@pytest.fixture
def acme_room_committed(transactional_db, world) -> LiveRoom:
    """For tests whose writes happen on other connections (workers, threads)."""
    return make_live_room(world.acme)
