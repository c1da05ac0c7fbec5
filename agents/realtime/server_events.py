"""Builders for every server event, as JSON-ready dicts with AgentScope v1's exact ``type`` strings.

Every ``agent_*`` event carries ``agent_id`` and ``agent_name``; ``server_*`` events carry
``session_id``. AgentScope's pages ignore keys and types they do not know, so the additions below are
safe for them:

* ``agent_response_audio_transcript_done`` also carries the full ``transcript`` (v1 dropped it).
* ``agent_response_done.metadata.status`` is ``completed``, ``cancelled``, ``interrupted``,
  ``incomplete`` or ``failed``.
* **Flush signal** — ``agent_response_cancelled {response_id, item_id, played_ms, reason}``: the
  response was cancelled (client cancel, barge-in, provider interruption). A client must drop every
  queued, not-yet-played audio chunk of that response at once. It is always followed by
  ``agent_response_audio_done``, ``agent_response_audio_transcript_done`` and ``agent_response_done``
  (status ``cancelled``/``interrupted``) so v1's players, which wait for ``audio_done``, never stall.
  No audio of a cancelled response is sent after it.
* ``agent_state_changed {old_state, new_state}``: ``initializing``/``listening``/``thinking``/
  ``speaking``/``ended``.
* ``agent_metrics {metrics}``: latency figures and counts, sent once before ``agent_ended``.
* ``server_error {session_id, code, message}``: bad input or a refused request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from agents.realtime import b64

Event = dict[str, Any]
OUTPUT_AUDIO_FORMAT_TYPE = "audio/pcm"
AUDIO_DELTA = "agent_response_audio_delta"
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def encode_event(event: Event) -> str:
    """One event as compact JSON, for the wire.

    Audio deltas are most of what a session sends (50 a second per agent). They are written as a head
    cached per response plus the base64, which never needs escaping: encoding the whole event each
    time cost more than the rest of the delta's trip through the engine."""
    if event.get("type") == AUDIO_DELTA and len(event) == 7:
        fmt = event["format"]
        head = _audio_delta_head(event["agent_id"], event["agent_name"], event["response_id"], event["item_id"],
                                 fmt["type"], fmt["rate"])
        return f'{head}{event["delta"]}"}}'
    return _COMPACT.encode(event)


@lru_cache(maxsize=512)
def _audio_delta_head(agent_id: str, agent_name: str, response_id: str, item_id: str, fmt_type: str,
                      rate: int) -> str:
    """Everything of an audio delta up to its base64: ``{..., "delta":"``."""
    whole = _COMPACT.encode({"type": AUDIO_DELTA, "agent_id": agent_id, "agent_name": agent_name,
                             "response_id": response_id, "item_id": item_id,
                             "format": {"type": fmt_type, "rate": rate}, "delta": ""})
    return whole[:-2]


@dataclass(frozen=True)
class AgentIds:
    agent_id: str
    agent_name: str

    def event(self, type_: str, **fields: Any) -> Event:
        return {**fields, "agent_id": self.agent_id, "agent_name": self.agent_name, "type": type_}


def server_session_created(session_id: str) -> Event:
    return {"session_id": session_id, "type": "server_session_created"}


def server_session_updated(session_id: str) -> Event:
    return {"session_id": session_id, "type": "server_session_updated"}


def server_session_ended(session_id: str) -> Event:
    return {"session_id": session_id, "type": "server_session_ended"}


def server_error(session_id: str, code: str, message: str) -> Event:
    return {"session_id": session_id, "code": code, "message": message, "type": "server_error"}


def agent_ready(ids: AgentIds) -> Event:
    return ids.event("agent_ready")


def agent_ended(ids: AgentIds) -> Event:
    return ids.event("agent_ended")


def agent_error(ids: AgentIds, code: str, message: str, error_type: str = "server_error") -> Event:
    return ids.event("agent_error", error_type=error_type, code=code, message=message)


def agent_state_changed(ids: AgentIds, old_state: str, new_state: str) -> Event:
    return ids.event("agent_state_changed", old_state=old_state, new_state=new_state)


def agent_metrics(ids: AgentIds, metrics: dict[str, Any]) -> Event:
    return ids.event("agent_metrics", metrics=metrics)


def agent_response_created(ids: AgentIds, response_id: str) -> Event:
    return ids.event("agent_response_created", response_id=response_id)


def agent_response_done(ids: AgentIds, response_id: str, *, input_tokens: int = 0, output_tokens: int = 0,
                        metadata: dict[str, str] | None = None) -> Event:
    return ids.event("agent_response_done", response_id=response_id, input_tokens=input_tokens,
                     output_tokens=output_tokens, metadata=dict(metadata or {}))


def agent_response_cancelled(ids: AgentIds, response_id: str, item_id: str, played_ms: int, reason: str) -> Event:
    return ids.event("agent_response_cancelled", response_id=response_id, item_id=item_id,
                     played_ms=played_ms, reason=reason)


def agent_response_audio_delta(ids: AgentIds, response_id: str, item_id: str, pcm: bytes, rate: int) -> Event:
    return ids.event(AUDIO_DELTA, response_id=response_id, item_id=item_id,
                     delta=b64.encode(pcm),
                     format={"type": OUTPUT_AUDIO_FORMAT_TYPE, "rate": rate})


def agent_response_audio_done(ids: AgentIds, response_id: str, item_id: str) -> Event:
    return ids.event("agent_response_audio_done", response_id=response_id, item_id=item_id)


def agent_response_audio_transcript_delta(ids: AgentIds, response_id: str, item_id: str, delta: str) -> Event:
    return ids.event("agent_response_audio_transcript_delta", response_id=response_id, item_id=item_id,
                     delta=delta)


def agent_response_audio_transcript_done(ids: AgentIds, response_id: str, item_id: str, transcript: str) -> Event:
    return ids.event("agent_response_audio_transcript_done", response_id=response_id, item_id=item_id,
                     transcript=transcript)


def tool_use_block(call_id: str, name: str, raw_input: str, parsed: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": name, "input": parsed or {}, "raw_input": raw_input}


def agent_response_tool_use_delta(ids: AgentIds, response_id: str, item_id: str,
                                  tool_use: dict[str, Any]) -> Event:
    return ids.event("agent_response_tool_use_delta", response_id=response_id, item_id=item_id,
                     tool_use=tool_use)


def agent_response_tool_use_done(ids: AgentIds, response_id: str, item_id: str,
                                 tool_use: dict[str, Any]) -> Event:
    return ids.event("agent_response_tool_use_done", response_id=response_id, item_id=item_id,
                     tool_use=tool_use)


def agent_response_tool_result(ids: AgentIds, call_id: str, name: str, output: str) -> Event:
    return ids.event("agent_response_tool_result",
                     tool_result={"type": "tool_result", "id": call_id, "name": name,
                                  "output": [{"type": "text", "text": output}]})


def agent_input_started(ids: AgentIds, item_id: str, audio_start_ms: int) -> Event:
    return ids.event("agent_input_started", item_id=item_id, audio_start_ms=audio_start_ms)


def agent_input_done(ids: AgentIds, item_id: str, audio_end_ms: int) -> Event:
    return ids.event("agent_input_done", item_id=item_id, audio_end_ms=audio_end_ms)


def agent_input_transcription_delta(ids: AgentIds, item_id: str, delta: str) -> Event:
    return ids.event("agent_input_transcription_delta", item_id=item_id, delta=delta)


def agent_input_transcription_done(ids: AgentIds, item_id: str, transcript: str,
                                   input_tokens: int | None = None, output_tokens: int | None = None) -> Event:
    return ids.event("agent_input_transcription_done", transcript=transcript, item_id=item_id,
                     input_tokens=input_tokens, output_tokens=output_tokens)


__all__ = [
    "AgentIds", "Event", "agent_ended", "agent_error", "agent_input_done", "agent_input_started",
    "agent_input_transcription_delta", "agent_input_transcription_done", "agent_metrics", "agent_ready",
    "agent_response_audio_delta", "agent_response_audio_done", "agent_response_audio_transcript_delta",
    "agent_response_audio_transcript_done", "agent_response_cancelled", "agent_response_created",
    "agent_response_done", "agent_response_tool_result", "agent_response_tool_use_delta",
    "agent_response_tool_use_done", "agent_state_changed", "encode_event", "server_error", "server_session_created",
    "server_session_ended", "server_session_updated", "tool_use_block",
]
