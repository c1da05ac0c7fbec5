"""The record of one conversation: final items in order, and the latency figures of its turns."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from agents.realtime.models.base import HistoryItem

Role = Literal["user", "assistant", "tool", "system"]
HISTORY_ITEMS = 20  # how much of the conversation a reconnect or handoff replays into the new model


@dataclass
class ConversationItem:
    role: Role
    text: str
    item_id: str
    agent_id: str = ""
    agent_name: str = ""
    started_at: float = field(default_factory=time.time)
    ended_at: float = field(default_factory=time.time)
    interrupted: bool = False
    tool_call: dict[str, Any] | None = None  # {"id", "name", "arguments"}
    tool_result: str | None = None

    def as_history(self) -> HistoryItem | None:
        if self.role == "tool" and self.tool_call:
            return HistoryItem("tool", f"{self.tool_call['name']}({self.tool_call['arguments']}) -> {self.tool_result}")
        if self.role in ("user", "assistant") and self.text:
            return HistoryItem(self.role, self.text)
        return None


def history_of(items: list[ConversationItem], limit: int = HISTORY_ITEMS) -> tuple[HistoryItem, ...]:
    kept = [h for h in (item.as_history() for item in items) if h is not None]
    return tuple(kept[-limit:])


@dataclass
class Metrics:
    """Per-agent figures: ``first_audio_ms`` = end of the user's turn -> first audio delta;
    ``response_ms`` = a request to the provider (turn end, tool output) -> its ``ResponseCreated``."""

    first_audio_ms: list[float] = field(default_factory=list)
    response_ms: list[float] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def snapshot(self) -> dict[str, Any]:
        return {
            "first_audio_ms": [round(v, 1) for v in self.first_audio_ms],
            "response_ms": [round(v, 1) for v in self.response_ms],
            "provider_round_trips": len(self.response_ms),
            "counts": dict(sorted(self.counts.items())),
        }
