"""Room-level events, beyond AgentScope's vocabulary. Names and payloads (all JSON):

Client -> server
- ``client_data_publish {payload: str (<= 15 KiB UTF-8), topic?: str, destination_identities?: [str], reliable?: bool}``
  needs ``canPublishData``.
- ``client_participant_update {metadata?: str, attributes?: {str: str}, name?: str}`` needs ``canUpdateOwnMetadata``.
- ``client_room_update_metadata {metadata: str}``, ``client_room_remove_participant {identity: str}``,
  ``client_room_end {}``: need ``roomAdmin``.

Server -> client
- ``room_joined {room, participant, participants: [..], agents: [{agent_id, agent_name, state}]}`` (to the joiner)
- ``room_participant_joined {participant}`` / ``room_participant_left {participant, reason}``
- ``room_metadata_changed {metadata}``
- ``room_participant_metadata_changed {participant}``
- ``room_data_received {payload, topic, sender_identity, reliable}``
- ``agent_state_changed {agent_id, agent_name, old_state, new_state}`` (from the agent bridge)
- ``server_error {session_id, code, message}`` for refusals that involve no agent (grants, bad room commands).

A participant object: ``{sid, identity, name, kind ("standard" | "agent"), metadata, attributes}``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agents.realtime.events import ClientEvent

MAX_DATA_PAYLOAD_BYTES = 15 * 1024  # LiveKit's reliable data packet limit


class _Event(ClientEvent):
    pass


class ClientDataPublish(_Event):
    type: Literal["client_data_publish"] = "client_data_publish"
    payload: str
    topic: str = ""
    destination_identities: list[str] = Field(default_factory=list)
    reliable: bool = True


class ClientParticipantUpdate(_Event):
    type: Literal["client_participant_update"] = "client_participant_update"
    metadata: str | None = None
    attributes: dict[str, str] | None = None
    name: str | None = None


class ClientRoomUpdateMetadata(_Event):
    type: Literal["client_room_update_metadata"] = "client_room_update_metadata"
    metadata: str


class ClientRoomRemoveParticipant(_Event):
    type: Literal["client_room_remove_participant"] = "client_room_remove_participant"
    identity: str


class ClientRoomEnd(_Event):
    type: Literal["client_room_end"] = "client_room_end"


ROOM_CLIENT_EVENTS: dict[str, type[_Event]] = {
    "client_data_publish": ClientDataPublish,
    "client_participant_update": ClientParticipantUpdate,
    "client_room_update_metadata": ClientRoomUpdateMetadata,
    "client_room_remove_participant": ClientRoomRemoveParticipant,
    "client_room_end": ClientRoomEnd,
}


def participant_joined(participant: dict[str, Any]) -> dict[str, Any]:
    return {"type": "room_participant_joined", "participant": participant}


def participant_left(participant: dict[str, Any], reason: str) -> dict[str, Any]:
    return {"type": "room_participant_left", "participant": participant, "reason": reason}


def metadata_changed(metadata: str) -> dict[str, Any]:
    return {"type": "room_metadata_changed", "metadata": metadata}


def participant_metadata_changed(participant: dict[str, Any]) -> dict[str, Any]:
    return {"type": "room_participant_metadata_changed", "participant": participant}


def data_received(payload: str, topic: str, sender: str, reliable: bool) -> dict[str, Any]:
    return {"type": "room_data_received", "payload": payload, "topic": topic, "sender_identity": sender,
            "reliable": reliable}
