"""One live room: its people, its agents (one bridge each), and what flows between them.

People's input goes to the agents the floor policy names; agents' output goes to every person who
subscribes, and to the other agents as input: their final transcript as text where the listener's
provider accepts text, else their audio, paced in real time with trailing silence. A person who
starts speaking interrupts every agent that is speaking, whatever the policy.

Everything the room starts (bridges, pacers, timers, its channel-layer listener) it stops in ``end``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from agents.realtime import b64
from agents.realtime import events as ev
from agents.realtime.audio import EnergyVad
from agents.realtime.bridge import AgentBridge
from agents.realtime.conversation import history_of
from agents.realtime.spec import AgentSpec
from agents.realtime.tasks import stop_task
from agents.tools.registry import ToolError
from rooms.groups import room_group
from rooms.models import EndReason
from rooms.runtime import room_events as rev
from rooms.runtime.floor import Floor, FloorAgent
from rooms.runtime.peer_audio import PeerAudioPacer
from rooms.runtime.transcript_sink import TranscriptSink
from rooms.services import live

log = logging.getLogger(__name__)

# A person's socket takes an event, or an event already encoded as JSON text (encoded once for a room).
Send = Callable[[dict[str, Any] | str], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]
ResolveAgent = Callable[[str], Awaitable[AgentSpec | None]]

PEER_TRAILING_SILENCE_MS = 300  # added to the listener's own silence duration
ROOM_ITEM_PREFIX = "room-"  # transcript items the room names, shared by every agent that records them


class RoomFull(Exception):
    pass


class Refused(Exception):
    """A person's event is not allowed; becomes one ``server_error`` and the socket stays open."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Person:
    identity: str
    name: str
    send: Send
    close: Close
    grants: Any = None  # rooms.grants.effective.Grants; None = every right (AgentScope compatibility)
    metadata: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    participant_id: int = 0
    sid: str = ""
    vad: EnergyVad | None = None
    close_on_end: bool = True  # AgentScope's pages keep their socket across sessions

    @property
    def hidden(self) -> bool:
        return bool(self.grants is not None and self.grants.hidden)

    @property
    def can_subscribe(self) -> bool:
        return self.grants is None or bool(self.grants.can_subscribe)

    def can_publish(self, source: str | None = None) -> bool:
        return self.grants is None or bool(self.grants.can_publish(source))

    @property
    def can_publish_data(self) -> bool:
        return self.grants is None or bool(self.grants.can_publish_data)

    @property
    def can_update_own_metadata(self) -> bool:
        return self.grants is None or bool(self.grants.can_update_own_metadata)

    @property
    def room_admin(self) -> bool:
        return self.grants is None or bool(self.grants.room_admin)

    def info(self) -> dict[str, Any]:
        return {"sid": self.sid, "identity": self.identity, "name": self.name, "kind": "standard",
                "metadata": self.metadata, "attributes": self.attributes}


@dataclass
class AgentSlot:
    spec: AgentSpec
    bridge: AgentBridge
    participant_id: int = 0
    sid: str = ""
    pacers: dict[str, PeerAudioPacer] = field(default_factory=dict)  # listener agent id -> pacer
    last_input_from: str = ""  # "person:<identity>" or "agent:<id>": who the agent is hearing
    last_error: dict[str, Any] | None = None  # why the agent ended, for people who join after it did

    @property
    def accepts_text(self) -> bool:
        model = self.bridge.model
        return bool(model is not None and model.capabilities.text_input)

    def info(self) -> dict[str, Any]:
        return {"sid": self.sid, "identity": f"agent-{self.spec.agent_id}", "name": self.spec.name,
                "kind": "agent", "metadata": "", "attributes": {"lk.agent.name": self.spec.agent_id}}


@dataclass(frozen=True)
class RoomIdentity:
    organization_id: int
    room_id: int
    room_sid: str
    name: str
    session_id: int
    session_public_id: str


class RoomRuntime:
    def __init__(self, ident: RoomIdentity, settings: live.RoomSettings, *, default_urls: dict[str, str],
                 on_ended: Callable[[RoomRuntime], None] | None = None, resolve_agent: ResolveAgent | None = None):
        self.ident = ident
        self.settings = settings
        self.metadata = settings.metadata
        self.default_urls = default_urls
        self.floor = Floor(settings.floor_policy if settings.floor_policy in ("free", "round_robin", "addressed") else "free")
        self.people: dict[str, Person] = {}
        self.agents: dict[str, AgentSlot] = {}
        self.ended = False
        self.end_reason = ""
        self._on_ended = on_ended
        self._timer: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._channel: str | None = None
        self._end_lock = asyncio.Lock()
        self._sink = TranscriptSink(ident.session_id) if settings.record_transcripts else None
        self._resolve_agent = resolve_agent
        self._background: set[asyncio.Task[None]] = set()
        self.ended_event = asyncio.Event()

    # --- identity shortcuts -------------------------------------------------------------------

    @property
    def room_id(self) -> int:
        return self.ident.room_id

    @property
    def session_id(self) -> str:
        return self.ident.session_public_id

    def room_info(self) -> dict[str, Any]:
        return {"sid": self.ident.room_sid, "name": self.ident.name, "metadata": self.metadata,
                "floor_policy": self.floor.policy, "session_id": self.session_id}

    # --- start --------------------------------------------------------------------------------

    async def start(self, specs: list[AgentSpec]) -> None:
        """Start every agent (concurrently) and listen for commands sent to the room's group."""
        for spec in specs:
            self.agents[spec.agent_id] = AgentSlot(spec, self._bridge(spec))
        self.floor.agents = [FloorAgent(s.agent_id, s.name) for s in specs]
        for slot in self.agents.values():
            slot.participant_id, slot.sid = await database_sync_to_async(live.participant_join)(
                room_id=self.room_id, identity=f"agent-{slot.spec.agent_id}", name=slot.spec.name, kind="agent",
                agent_slug=slot.spec.agent_id)
        await database_sync_to_async(live.session_record_agents)(
            session_id=self.ident.session_id, agents=[{"slug": s.agent_id, "name": s.name} for s in specs])
        await asyncio.gather(*(slot.bridge.start() for slot in self.agents.values()))
        await self._listen()
        self._arm_timer(self.settings.empty_timeout, EndReason.EMPTY_TIMEOUT)

    def _bridge(self, spec: AgentSpec, conversation: list[Any] | None = None) -> AgentBridge:
        return AgentBridge(spec, self._emitter(spec.agent_id), default_urls=self.default_urls,
                           on_item=self._item_recorder(spec.agent_id), tool_context=_RoomTools(self, spec.agent_id),
                           conversation=conversation, on_end=self._agent_gave_up)

    async def _agent_gave_up(self, bridge: AgentBridge, reason: str) -> None:
        # An agent that ended on its own (its provider lost for good, a fatal provider error), not one
        # the room stopped (handoff, room end). With no agent left nobody can answer: end the room,
        # from outside the agent's task, which room.end would otherwise be cancelling under itself.
        if all(slot.bridge.ended for slot in self.agents.values()):
            self.later(self.end(EndReason.AGENT_ENDED), f"room-{self.room_id}-agents-gone")

    def later(self, coro: Awaitable[None], name: str) -> None:
        """Run ``coro`` outside the caller's task (an agent's own task cannot stop its agent), owned
        by the room: ``end`` cancels what is still running."""
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro, name=name)  # type: ignore[arg-type]
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def handoff(self, from_agent: str, spec: AgentSpec) -> None:
        """Replace ``from_agent`` with ``spec``, which continues the conversation so far."""
        old = self.agents.get(from_agent)
        if old is None or self.ended:
            return
        conversation = list(old.bridge.conversation)
        for pacer in old.pacers.values():
            await pacer.close()
        await old.bridge.stop("handoff")
        slot = AgentSlot(spec, self._bridge(spec, conversation), participant_id=old.participant_id, sid=old.sid,
                         last_input_from=old.last_input_from)
        self.agents = {(spec.agent_id if k == from_agent else k): (slot if k == from_agent else v)
                       for k, v in self.agents.items()}
        self.floor.agents = [FloorAgent(s.spec.agent_id, s.spec.name) for s in self.agents.values()]
        await slot.bridge.start(history_of(conversation))
        await self._broadcast(ev.server_session_updated(self.session_id) | {
            "handoff": {"from": from_agent, "to": spec.agent_id, "agent_name": spec.name}})

    async def resolve_agent(self, slug: str) -> AgentSpec | None:
        return await self._resolve_agent(slug) if self._resolve_agent is not None else None

    async def open_conversation(self, prompt: str) -> None:
        """Prompt the first agent so a room of agents talks without anyone speaking first."""
        first = next(iter(self.agents.values()), None)
        if first is None:
            return
        first.last_input_from = "room"
        await first.bridge.push_text(prompt)

    # --- people -------------------------------------------------------------------------------

    async def join(self, person: Person) -> None:
        if self.ended:
            raise RoomFull("room ended")
        limit = self.settings.max_participants
        if limit and len(self.people) >= limit and person.identity not in self.people:
            raise RoomFull(f"the room allows {limit} people")
        previous = self.people.get(person.identity)
        if previous is not None:  # same identity joining again replaces the old connection (LiveKit does too)
            await self.leave(previous.identity, "duplicate_identity", close=(4409, "duplicate_identity"))
        person.participant_id, person.sid = await database_sync_to_async(live.participant_join)(
            room_id=self.room_id, identity=person.identity, name=person.name, metadata=person.metadata,
            attributes=person.attributes, hidden=person.hidden)
        self.people[person.identity] = person
        self._cancel_timer()
        await person.send({"type": "room_joined", "room": self.room_info(), "participant": person.info(),
                           "participants": [p.info() for p in self.people.values() if not p.hidden and p is not person]
                           + [a.info() for a in self.agents.values()],
                           "agents": [{"agent_id": a.spec.agent_id, "agent_name": a.spec.name,
                                       "state": a.bridge.state} for a in self.agents.values()]})
        for slot in self.agents.values():  # agents became ready, or failed, before this person arrived
            if slot.bridge.ended:
                if slot.last_error is not None:
                    await person.send(slot.last_error)
                await person.send(ev.agent_ended(slot.bridge.ids))
            elif slot.bridge.state != "initializing":
                await person.send(ev.agent_ready(slot.bridge.ids))
        if not person.hidden:
            await self._broadcast(rev.participant_joined(person.info()), exclude=person.identity)

    async def leave(self, identity: str, reason: str, *, close: tuple[int, str] | None = None) -> None:
        person = self.people.pop(identity, None)
        if person is None:
            return
        await database_sync_to_async(live.participant_leave)(participant_id=person.participant_id, reason=reason)
        if close is not None:
            with contextlib.suppress(Exception):
                await person.close(*close)
        if not person.hidden:
            await self._broadcast(rev.participant_left(person.info(), reason))
        if not self.people and not self.ended:
            self._arm_timer(self.settings.departure_timeout, EndReason.DEPARTURE_TIMEOUT)

    # --- input from people --------------------------------------------------------------------

    async def person_event(self, identity: str, event: ev.ClientEvent) -> None:
        person = self.people.get(identity)
        if person is None or self.ended:
            return
        try:
            await self._person_event(person, event)
        except Refused as exc:
            await person.send(ev.server_error(self.session_id, exc.code, exc.message))

    async def _person_event(self, person: Person, event: ev.ClientEvent) -> None:
        if isinstance(event, ev.ClientAudioAppend):
            if not person.can_publish("microphone"):
                raise Refused("publish_not_allowed", "Your grant does not allow publishing audio.")
            if self._speech_started(person, event):
                await self._interrupt_speaking()
            await self._to_agents(person, self.floor.for_person(None), event)
        elif isinstance(event, ev.ClientTextAppend):
            if not person.can_publish():
                raise Refused("publish_not_allowed", "Your grant does not allow publishing.")
            targets = self.floor.for_person(event.text)
            await self._interrupt_speaking()
            await self._to_agents(person, targets, event)
        elif isinstance(event, ev.ClientImageAppend):
            if not person.can_publish("camera"):
                raise Refused("publish_not_allowed", "Your grant does not allow publishing video.")
            await self._to_agents(person, self.floor.for_person(None), event)
        elif isinstance(event, ev.ClientAudioCommit | ev.ClientResponseCreate):
            if not person.can_publish():
                raise Refused("publish_not_allowed", "Your grant does not allow publishing.")
            await self._to_agents(person, self.floor.for_person(None), event)
        elif isinstance(event, ev.ClientResponseCancel):
            await self._interrupt_speaking()
        elif isinstance(event, ev.ClientToolResult):
            for slot in self.agents.values():
                await slot.bridge.handle(event)
        elif isinstance(event, ev.ClientSessionEnd):
            if len(self.people) == 1:  # the last person: end the session, then they are gone with it
                await self.end(EndReason.CLIENT_ENDED)
            await self.leave(person.identity, "client_session_end", close=(1000, "session_ended"))
        else:
            await self._room_command(person, event)

    async def _to_agents(self, person: Person, agent_ids: list[str], event: ev.ClientEvent) -> None:
        # One typed message to several agents is one transcript item, however many agents record it.
        text = event.text if isinstance(event, ev.ClientTextAppend) else None
        item_id = f"{ROOM_ITEM_PREFIX}{uuid.uuid4().hex}" if text is not None else ""
        for agent_id in agent_ids:
            slot = self.agents.get(agent_id)
            if slot is not None:
                slot.last_input_from = f"person:{person.identity}"
                if text is not None:
                    await slot.bridge.push_text(text, item_id=item_id)
                else:
                    await slot.bridge.handle(event)

    def audio_now(self, identity: str, event: ev.ClientAudioAppend, admit: Callable[[], bool]) -> bool:
        """``person_event`` for an audio chunk, with no task switch and no wait: 50 of them a second
        per person. False, with nothing done, where something would answer or wait (a refusal to
        send, an agent's provider socket that is full) or where ``admit()`` (the socket's flood count,
        called once the rest is known) refuses; ``person_event`` then takes the chunk. The barge-in it
        may hear runs in a task of the room's, just after."""
        person = self.people.get(identity)
        if person is None or self.ended:
            return admit()  # dropped, as person_event would
        targets = self._audio_targets()
        if (not person.can_publish("microphone") or not all(slot.bridge.audio_ready() for slot in targets)
                or not admit()):
            return False
        if self._speech_started(person, event):
            self.later(self._interrupt_speaking(), f"room-{self.room_id}-barge-in")
        for slot in targets:
            slot.last_input_from = f"person:{person.identity}"
            slot.bridge.push_audio_now(event.audio, event.rate)
        return True

    def _audio_targets(self) -> list[AgentSlot]:
        return [slot for agent_id in self.floor.for_person(None) if (slot := self.agents.get(agent_id)) is not None]

    def _speech_started(self, person: Person, event: ev.ClientAudioAppend) -> bool:
        # The room runs its own VAD on each person's stream, so a person interrupts agents that do not
        # hear them (round robin, addressed) as well as the one that does.
        rate = event.rate
        if person.vad is None or person.vad.rate != rate:
            person.vad = EnergyVad(rate)
        return any(e.kind == "start" for e in person.vad.feed(event.audio))

    async def _interrupt_speaking(self) -> None:
        for slot in self.agents.values():
            if slot.bridge.state in ("speaking", "thinking"):
                await slot.bridge.interrupt()
            self._flush_pacers_from(slot)

    def _flush_pacers_from(self, slot: AgentSlot) -> None:
        for pacer in slot.pacers.values():
            pacer.flush()

    # --- room commands (people with the right grants, or other processes) ---------------------

    async def _room_command(self, person: Person, event: ev.ClientEvent) -> None:
        if isinstance(event, rev.ClientDataPublish):
            if not person.can_publish_data:
                raise Refused("publish_data_not_allowed", "Your grant does not allow publishing data.")
            if len(event.payload.encode()) > rev.MAX_DATA_PAYLOAD_BYTES:
                raise Refused("payload_too_large", f"Data payloads are limited to {rev.MAX_DATA_PAYLOAD_BYTES} bytes.")
            await self.publish_data(event.payload, event.topic, event.destination_identities, event.reliable,
                                    sender=person.identity)
        elif isinstance(event, rev.ClientParticipantUpdate):
            if not person.can_update_own_metadata:
                raise Refused("update_metadata_not_allowed", "Your grant does not allow updating your metadata.")
            await self.update_participant(person, event.metadata, event.attributes, event.name)
        elif isinstance(event, rev.ClientRoomUpdateMetadata | rev.ClientRoomRemoveParticipant | rev.ClientRoomEnd):
            if not person.room_admin:
                raise Refused("room_admin_required", "Only a room admin may do this.")
            await self.command(event.model_dump())
        else:
            raise Refused("unsupported_event", f"{event.type} is not supported in a room.")

    async def command(self, command: dict[str, Any]) -> None:
        """Admin commands, from a room admin's socket or from another process through the group."""
        kind = command.get("type")
        if kind in ("client_room_end", "end"):
            await self.end(str(command.get("reason") or EndReason.ADMIN_ENDED))
        elif kind in ("client_room_update_metadata", "metadata"):
            self.metadata = str(command.get("metadata", ""))
            await database_sync_to_async(live.room_update_metadata)(room_id=self.room_id, metadata=self.metadata)
            await self._broadcast(rev.metadata_changed(self.metadata))
        elif kind in ("client_room_remove_participant", "remove"):
            await self.leave(str(command.get("identity")), "removed", close=(4410, "removed"))
        elif kind == "data":
            await self.publish_data(str(command.get("payload", "")), str(command.get("topic", "")),
                                    list(command.get("destination_identities") or []),
                                    bool(command.get("reliable", True)), sender=str(command.get("sender", "")))

    async def publish_data(self, payload: str, topic: str, destinations: list[str], reliable: bool, *,
                           sender: str) -> None:
        message = ev.encode_event(rev.data_received(payload, topic, sender, reliable))
        for person in list(self.people.values()):
            if person.identity == sender or not person.can_subscribe:
                continue
            if destinations and person.identity not in destinations:
                continue
            await person.send(message)

    async def update_participant(self, person: Person, metadata: str | None, attributes: dict[str, str] | None,
                                 name: str | None) -> None:
        if metadata is not None:
            person.metadata = metadata
        if attributes is not None:
            person.attributes = {**person.attributes, **attributes}
        if name is not None:
            person.name = name
        await database_sync_to_async(live.participant_update_metadata)(
            participant_id=person.participant_id, metadata=metadata, attributes=attributes, name=name)
        if not person.hidden:
            await self._broadcast(rev.participant_metadata_changed(person.info()))

    # --- output from agents -------------------------------------------------------------------

    def _emitter(self, agent_id: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
        async def emit(event: dict[str, Any]) -> None:
            await self._agent_event(agent_id, event)

        return emit

    async def _agent_event(self, agent_id: str, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "agent_error" and event.get("error_type") != "warning" and agent_id in self.agents:
            self.agents[agent_id].last_error = event
        audio = kind == "agent_response_audio_delta"
        text = ev.encode_event(event)  # once per event, not once per listener
        for person in list(self.people.values()):
            if audio and not person.can_subscribe:
                continue
            try:
                await person.send(text)
            except Exception:  # a socket that just went away; its consumer cleans up
                log.debug("send to %s failed", person.identity, exc_info=True)
        if len(self.agents) < 2:
            return
        slot = self.agents.get(agent_id)
        if slot is None:
            return
        if audio:
            pcm = b64.decode(event["delta"])
            for listener_id in self.floor.for_agent_output(agent_id):
                listener = self.agents.get(listener_id)
                if listener is not None and not listener.accepts_text:
                    self._pacer(slot, listener).feed(pcm, int(event["format"]["rate"]))
        elif kind == "agent_response_audio_transcript_done":
            text = str(event.get("transcript") or "")
            for listener_id in self.floor.for_agent_output(agent_id, text):
                listener = self.agents.get(listener_id)
                if listener is not None and listener.accepts_text and text:
                    listener.last_input_from = f"agent:{agent_id}"
                    await listener.bridge.push_text(f"{slot.spec.name}: {text}")
        elif kind == "agent_response_done":
            self.floor.response_finished(agent_id)
            for listener_id, pacer in slot.pacers.items():
                listener = self.agents[listener_id]
                silence = (listener.spec.turn_detection.silence_duration_ms if listener.spec.turn_detection else 0)
                pacer.end_turn(silence + PEER_TRAILING_SILENCE_MS, 24000)
        elif kind == "agent_response_cancelled":
            self._flush_pacers_from(slot)
        elif kind == "agent_ended" and all(s.bridge.ended for s in self.agents.values()):
            self.later(self.end(EndReason.AGENT_ENDED), f"room-{self.room_id}-agents-ended")

    def _pacer(self, speaker: AgentSlot, listener: AgentSlot) -> PeerAudioPacer:
        pacer = speaker.pacers.get(listener.spec.agent_id)
        if pacer is None:
            async def send(pcm: bytes, rate: int) -> None:
                listener.last_input_from = f"agent:{speaker.spec.agent_id}"
                await listener.bridge.push_audio(pcm, rate)

            async def turn_end() -> None:
                if listener.spec.turn_detection is None:  # manual turns: commit explicitly
                    await listener.bridge.handle(ev.ClientAudioCommit())

            pacer = speaker.pacers[listener.spec.agent_id] = PeerAudioPacer(send, on_turn_end=turn_end)
        return pacer

    def _item_recorder(self, agent_id: str) -> Callable[[Any], Awaitable[None]]:
        async def record(item: Any) -> None:
            slot = self.agents.get(agent_id)
            if self._sink is None or slot is None:
                return
            if item.role == "user" and not slot.last_input_from.startswith("person:"):
                return  # what an agent heard from another agent is recorded as that agent's speech
            speaker = slot.last_input_from.partition(":")[2] if item.role == "user" else f"agent-{agent_id}"
            if not item.item_id.startswith(ROOM_ITEM_PREFIX):
                # Providers and the local model number items per connection, so two agents in one
                # session can use the same id; the transcript keeps each agent's items apart.
                item = replace(item, item_id=f"{agent_id}/{item.item_id}")
            self._sink.add(item, speaker=speaker, agent=agent_id)

        return record

    async def _broadcast(self, event: dict[str, Any], *, exclude: str | None = None) -> None:
        text = ev.encode_event(event)
        for person in list(self.people.values()):
            if person.identity != exclude:
                with contextlib.suppress(Exception):
                    await person.send(text)

    # --- cross-process commands ---------------------------------------------------------------

    async def _listen(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        self._channel = await layer.new_channel()
        await layer.group_add(room_group(self.ident.organization_id, self.room_id), self._channel)
        self._listener = asyncio.get_running_loop().create_task(self._receive(layer), name=f"room-{self.room_id}-group")

    async def _receive(self, layer: Any) -> None:
        while not self.ended:
            message = await layer.receive(self._channel)
            try:
                await self.command(message.get("command") or {})
            except Exception:
                log.exception("room command failed")

    # --- timers and end -----------------------------------------------------------------------

    def _arm_timer(self, seconds: int, reason: str) -> None:
        self._cancel_timer()

        async def fire() -> None:
            await asyncio.sleep(seconds)
            self._timer = None
            await self.end(reason)

        self._timer = asyncio.get_running_loop().create_task(fire(), name=f"room-{self.room_id}-timer")

    def _cancel_timer(self) -> None:
        if self._timer is not None and self._timer is not asyncio.current_task():
            self._timer.cancel()
        self._timer = None

    async def end(self, reason: str) -> None:
        """Stop everything the room started, record the end (hooks run in Celery), tell the people."""
        async with self._end_lock:
            if self.ended:
                return
            self.ended = True
            self.end_reason = reason
        self._cancel_timer()
        for slot in self.agents.values():
            for pacer in slot.pacers.values():
                await pacer.close()
        await asyncio.gather(*(slot.bridge.stop(reason) for slot in self.agents.values()), return_exceptions=True)
        if self._sink is not None:
            await self._sink.close()
        for task in list(self._background):
            if task is not asyncio.current_task():
                task.cancel()
        metrics = {slot.spec.agent_id: slot.bridge.metrics.snapshot() for slot in self.agents.values()}
        try:
            await database_sync_to_async(live.session_record_metrics)(session_id=self.ident.session_id, metrics=metrics)
            await database_sync_to_async(live.room_close)(room_id=self.room_id, reason=reason)
        except Exception:
            log.exception("recording the end of room %s failed", self.room_id)
        await self._broadcast(ev.server_session_ended(self.session_id) | {"reason": reason})
        await self._stop_listening()
        for person in list(self.people.values()):
            if person.close_on_end:
                with contextlib.suppress(Exception):
                    await person.close(1000, f"room_ended: {reason}")
        if self._on_ended is not None:
            self._on_ended(self)
        self.ended_event.set()

    async def _stop_listening(self) -> None:
        # An ``end`` command from another process runs inside the listener: it leaves its loop by itself.
        await stop_task(self._listener)
        self._listener = None
        layer = get_channel_layer()
        if layer is not None and self._channel is not None:
            await layer.group_discard(room_group(self.ident.organization_id, self.room_id), self._channel)


class _RoomTools:
    """What the ``end_session`` and ``transfer_to_agent`` tools do inside a room."""

    def __init__(self, room: RoomRuntime, agent_id: str):
        self.room = room
        self.agent_id = agent_id

    def _bridge(self) -> AgentBridge:
        return self.room.agents[self.agent_id].bridge

    async def end_session(self, reason: str) -> None:
        room = self.room

        async def end() -> None:
            room.later(room.end(EndReason.AGENT_ENDED), f"room-{room.room_id}-end")

        self._bridge().after_tools(end)

    async def transfer_to_agent(self, agent: str, reason: str) -> None:
        spec = await self.room.resolve_agent(agent)
        if spec is None:
            raise ToolError(f"No agent named {agent!r} in this organization")
        if spec.agent_id in self.room.agents:
            raise ToolError(f"{agent} is already in this conversation")
        room, from_agent = self.room, self.agent_id

        async def handoff() -> None:
            room.later(room.handoff(from_agent, spec), f"room-{room.room_id}-handoff")

        self._bridge().after_tools(handoff)
