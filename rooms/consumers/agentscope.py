"""``/ws/<user_id>/<session_id>``: AgentScope v1's realtime endpoint, so its example pages work
unmodified. ``client_session_create.config`` takes AgentScope's single-agent
(``instructions``/``agent_name``/``model_provider``) or two-agent (``agent1_*``/``agent2_*``) shapes,
or ours (``agent`` or ``room_config`` slugs). Each session runs in a private room; the socket stays
open after the session ends, as the pages expect.

Authentication: ``?access_token=`` (a room grant with ``roomJoin`` and ``canPublish`` that is bound
to no room: see ``private_room_refusal``), else a signed-in member's web session, else — only with
``ALLOW_ANONYMOUS_SESSIONS`` (development) — the development organization.
"""

from __future__ import annotations

import uuid

from channels.db import database_sync_to_async

from agents.realtime import events as ev
from api.actors import SESSION_ORGANIZATION_KEY
from rooms import close_codes
from rooms.consumers.base import RealtimeConsumer, grant_rights
from rooms.grants.verifier import VerifiedToken
from rooms.models import EndReason
from rooms.runtime.join import private_room, private_room_refusal
from rooms.runtime.room import Person, RoomRuntime
from rooms.services import dispatch
from rooms.services.live import RoomHostedElsewhere


class AgentScopeConsumer(RealtimeConsumer):
    room: RoomRuntime | None = None
    grant: VerifiedToken | None = None

    async def connect(self) -> None:
        await self.accept()
        kwargs = self.scope["url_route"]["kwargs"]
        self.user_id = str(kwargs["user_id"])[:100]
        self.client_session = str(kwargs["session_id"])[:100]
        grant = self.scope.get("grant")
        self.grant = grant
        if grant is not None:
            refusal = private_room_refusal(grant.grants)
            if refusal is not None:
                await self.close_with(close_codes.FORBIDDEN, refusal)
                return
            self.organization_id: int | None = grant.organization_id
            self.identity = grant.identity or self.user_id
        elif self.scope.get("grant_error"):
            await self.close_with(close_codes.UNAUTHORIZED, self.scope["grant_error"])
            return
        else:
            session = self.scope.get("session")
            chosen = session.get(SESSION_ORGANIZATION_KEY) if session is not None else None
            self.organization_id = await database_sync_to_async(dispatch.page_organization_id)(self.scope.get("user"), chosen)
            self.identity = self.user_id
            if self.organization_id is None:
                await self.close_with(close_codes.UNAUTHORIZED, "missing_token")
                return

    async def handle_event(self, event: ev.ClientEvent) -> None:
        if isinstance(event, ev.ClientSessionCreate):
            await self._create(event)
        elif self.room is None or self.room.ended:
            await self.error("no_session", "Send client_session_create first.")
        elif isinstance(event, ev.ClientSessionEnd):
            await self.room.end(EndReason.CLIENT_ENDED)
            self.room = None
        else:
            await self.room.person_event(self.identity, event)

    async def _create(self, event: ev.ClientSessionCreate) -> None:
        if self.room is not None and not self.room.ended:
            await self.error("session_exists", "A session is already running on this socket.")
            return
        assert self.organization_id is not None
        name = f"agentscope-{self.user_id}-{self.client_session}-{uuid.uuid4().hex[:8]}"
        org_id = self.organization_id
        plan_holder: list[dispatch.RoomPlan] = []

        async def make_plan() -> dispatch.RoomPlan:
            plan = await database_sync_to_async(dispatch.room_plan_for_agentscope)(
                organization_id=org_id, config=event.config, user_name=self.user_id, room_name=name)
            plan_holder.append(plan)
            return plan

        try:
            room = await private_room(organization_id=org_id, name=name, make_plan=make_plan)
        except dispatch.DispatchError as exc:
            await self.error(exc.code, exc.message)
            return
        except RoomHostedElsewhere as exc:  # pragma: no cover - private names are unique
            await self.error("room_hosted_elsewhere", str(exc))
            return
        self.room = room
        self.session_id = room.session_id
        # The room enforces the grant on every message, as on /ws/room.
        await room.join(Person(identity=self.identity, name=self.user_id, send=self.send_event, close=self._close,
                               close_on_end=False, **grant_rights(self.grant)))
        plan = plan_holder[0]
        first = next(iter(room.agents.values()), None)
        for warning in plan.warnings:
            if first is not None:
                await self.send_event(ev.agent_error(first.bridge.ids, "provider_fallback_local", warning,
                                                     error_type="warning"))
        await self.send_event(ev.server_session_created(room.session_id))
        if plan.opening_prompt:
            await room.open_conversation(plan.opening_prompt)

    async def _close(self, code: int, reason: str) -> None:
        await self.close(code=code, reason=reason)

    async def disconnect(self, code: int) -> None:
        room, self.room = self.room, None
        if room is not None and not room.ended:
            await room.end(EndReason.LAST_PARTICIPANT_LEFT)
