"""Turns the engine's final conversation items into transcript rows for Celery to persist."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agents.realtime.conversation import ConversationItem
from rooms.records.buffer import TranscriptBuffer

_ROLES = {"user": "user", "assistant": "agent", "tool": "tool", "system": "system"}


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat() if ts else None


def transcript_row(item: ConversationItem, *, speaker: str, agent: str) -> dict[str, Any]:
    tool = None
    if item.tool_call is not None:
        tool = {"call_id": item.tool_call.get("id", ""), "name": item.tool_call.get("name", ""),
                "arguments": item.tool_call.get("arguments", ""), "output": item.tool_result or "",
                "is_error": bool(item.tool_call.get("is_error", False))}
    return {"item_id": item.item_id, "seq": 0, "role": _ROLES.get(item.role, "system"), "speaker": speaker,
            "agent": agent, "text": item.text + (" [interrupted]" if item.interrupted else ""),
            "started_at": _iso(item.started_at), "ended_at": _iso(item.ended_at), "tool": tool}


class TranscriptSink:
    def __init__(self, session_id: int):
        self._buffer = TranscriptBuffer(session_id)

    def add(self, item: ConversationItem, *, speaker: str, agent: str) -> None:
        self._buffer.add(transcript_row(item, speaker=speaker, agent=agent))

    async def close(self) -> None:
        await self._buffer.close()
