"""Storing transcript batches: validation shared with the realtime buffer, and idempotent inserts."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rooms.models import Session
from rooms.records.models import TranscriptEntry, TranscriptRole

logger = logging.getLogger(__name__)

_TOOL_KEYS = {"call_id", "name", "arguments", "output", "is_error"}


class TranscriptItemInvalid(ValueError):
    """A transcript item the realtime side handed over is malformed; ``code`` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _timestamp(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise TranscriptItemInvalid("invalid_timestamp", f"{key} must be ISO-8601, got {value!r}.") from None
    if parsed.tzinfo is None:
        raise TranscriptItemInvalid("naive_timestamp", f"{key} must carry a UTC offset, got {value!r}.")
    return parsed.isoformat()


def transcript_item_clean(item: dict[str, Any]) -> dict[str, Any]:
    """The JSON-safe, normalised form of one item; raises ``TranscriptItemInvalid``."""
    if not isinstance(item, dict):
        raise TranscriptItemInvalid("invalid_item", "A transcript item must be a dict.")
    item_id = item.get("item_id")
    if not isinstance(item_id, str) or not item_id or len(item_id) > 128:
        raise TranscriptItemInvalid("invalid_item_id", "item_id must be a non-empty string of at most 128 characters.")
    seq = item.get("seq", 0)
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise TranscriptItemInvalid("invalid_seq", "seq must be an integer >= 0.")
    role = item.get("role")
    if role not in TranscriptRole.values:
        raise TranscriptItemInvalid("invalid_role", f"role must be one of {', '.join(TranscriptRole.values)}.")
    tool = item.get("tool")
    if tool is not None and (not isinstance(tool, dict) or not set(tool) <= _TOOL_KEYS):
        raise TranscriptItemInvalid("invalid_tool", f"tool must be null or a dict with keys {sorted(_TOOL_KEYS)}.")
    return {
        "item_id": item_id,
        "seq": seq,
        "position": int(item.get("position", 0)),
        "role": role,
        "speaker": str(item.get("speaker") or "")[:256],
        "agent": str(item.get("agent") or "")[:100],
        "text": str(item.get("text") or ""),
        "started_at": _timestamp(item, "started_at"),
        "ended_at": _timestamp(item, "ended_at"),
        "tool": tool,
    }


def transcript_batch_store(*, session_id: int, items: list[dict[str, Any]]) -> int:
    """Insert a batch; entries already stored (a redelivered batch) are skipped. Returns rows sent."""
    session = Session.objects.filter(pk=session_id).only("id", "room_id", "organization_id").first()
    if session is None:
        logger.warning("transcript batch for missing session %s dropped (%d items)", session_id, len(items))
        return 0
    rows = []
    for raw in items:
        try:
            item = transcript_item_clean(raw)
        except TranscriptItemInvalid as exc:
            # The buffer validates on add(), so this is a bug upstream; keep the rest of the batch.
            logger.error("invalid transcript item for session %s skipped: %s (%s)", session_id, exc, exc.code)
            continue
        for key in ("started_at", "ended_at"):
            item[key] = datetime.fromisoformat(item[key]) if item[key] else None
        rows.append(TranscriptEntry(session_id=session.pk, room_id=session.room_id,
                                    organization_id=session.organization_id, **item))
    TranscriptEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
