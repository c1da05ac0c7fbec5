"""Getting a person into a room: create the room on first join (agents dispatched), then join."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from rooms.grants.effective import Grants
from rooms.runtime.registry import HOST_ID, registry
from rooms.runtime.room import RoomIdentity, RoomRuntime
from rooms.services import dispatch, live


def default_urls() -> dict[str, str]:
    return {"openai": settings.OPENAI_REALTIME_URL, "dashscope": settings.DASHSCOPE_REALTIME_URL,
            "gemini": settings.GEMINI_LIVE_URL}


async def open_room(*, organization_id: int, name: str, plan: dispatch.RoomPlan) -> RoomRuntime:
    opened = await database_sync_to_async(live.room_open)(
        organization_id=organization_id, name=name, settings=plan.settings, host=HOST_ID)
    ident = RoomIdentity(organization_id, opened.room_id, opened.room_sid, name, opened.session_id,
                         opened.session_public_id)
    key = (organization_id, name)
    reg = registry()

    async def resolve(slug: str) -> Any:
        return await database_sync_to_async(dispatch.agent_spec_by_slug)(
            organization_id=organization_id, slug=slug, room_name=name)

    room = RoomRuntime(ident, plan.settings, default_urls=default_urls(), on_ended=lambda r: reg.discard(key, r),
                       resolve_agent=resolve)
    try:
        await room.start(plan.specs)
    except BaseException:
        await room.end("error")
        raise
    return room


async def room_for_grant(grant: Any) -> tuple[RoomRuntime, bool]:
    """The live room a verified grant joins, created from its dispatch on first join."""
    name = grant.grants.room
    org_id = grant.organization_id

    async def create() -> RoomRuntime:
        plan = await database_sync_to_async(dispatch.room_plan_for_join)(
            organization_id=org_id, room_name=name, token_room_config=grant.room_config or {},
            identity=grant.identity, name=grant.name, attributes=grant.attributes)
        return await open_room(organization_id=org_id, name=name, plan=plan)

    return await registry().get_or_create((org_id, name), create)


def private_room_refusal(grants: Grants) -> str | None:
    """Why a grant may not start sessions in private rooms (the AgentScope socket's), or None.

    A private room's name is made up when its session starts, so no grant can name it beforehand, and
    a grant bound to a room is valid for that room only: only a grant bound to no room opens private
    rooms. Starting a session chooses the agents and their instructions, run on the organization's
    provider keys, and the session is driven by what the person publishes, so a grant that may not
    publish may not start one either.
    """
    if not grants.room_join:
        return "the grant does not allow joining rooms (roomJoin)"
    if grants.room:
        return f"the grant is limited to room {grants.room!r}"
    if not grants.can_publish():
        return "the grant does not allow publishing (canPublish)"
    return None


async def private_room(*, organization_id: int, name: str,
                       make_plan: Callable[[], Awaitable[dispatch.RoomPlan]]) -> RoomRuntime:
    async def create() -> RoomRuntime:
        return await open_room(organization_id=organization_id, name=name, plan=await make_plan())

    room, _ = await registry().get_or_create((organization_id, name), create)
    return room
