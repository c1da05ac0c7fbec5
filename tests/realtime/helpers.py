"""What a client of the engine sees: a recorder of emitted events, and agent specs for the tests."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from agents.realtime.spec import AgentSpec, ToolSpec

NOISY = {"agent_response_audio_delta", "agent_response_audio_transcript_delta", "agent_state_changed",
         "agent_response_tool_use_delta", "agent_input_transcription_delta", "agent_metrics"}
FAST = {"local_speed": "20"}
CALCULATOR = ToolSpec("calculator", "Arithmetic", {"type": "object", "properties": {"expression": {"type": "string"}},
                                                   "required": ["expression"]})


class Recorder:
    """The ``emit`` callback: keeps every event (after a JSON round trip, as a socket would)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._changed = asyncio.Event()

    async def __call__(self, event: dict[str, Any]) -> None:
        self.events.append(json.loads(json.dumps(event)))
        self._changed.set()

    async def wait_for(self, match: str | Callable[[dict[str, Any]], bool], count: int = 1,
                       timeout: float = 10.0) -> dict[str, Any]:
        test = (lambda e: e["type"] == match) if isinstance(match, str) else match
        async with asyncio.timeout(timeout):
            while True:
                hits = [e for e in self.events if test(e)]
                if len(hits) >= count:
                    return hits[count - 1]
                self._changed.clear()
                await self._changed.wait()

    def of(self, type_: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == type_]

    def flow(self, since: int = 0) -> list[str]:
        """Event types in order without the streaming noise (deltas, state changes)."""
        return [e["type"] for e in self.events[since:] if e["type"] not in NOISY]

    def states(self) -> list[str]:
        return [e["new_state"] for e in self.of("agent_state_changed")]

    def audio_bytes(self, response_id: str) -> int:
        return sum(len(base64.b64decode(e["delta"])) for e in self.of("agent_response_audio_delta")
                   if e["response_id"] == response_id)

    def mark(self) -> int:
        return len(self.events)


def local_spec(**overrides: Any) -> AgentSpec:
    values: dict[str, Any] = {"agent_id": "agent-1", "name": "Friday", "instructions": "Be brief.",
                              "metadata": dict(FAST)}
    values.update(overrides)
    return AgentSpec(**values)


def tone_pcm(ms: int, rate: int, amplitude: float = 0.3, hz: float = 300.0) -> bytes:
    t = np.arange(rate * ms // 1000) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2").tobytes()


def silence_pcm(ms: int, rate: int) -> bytes:
    return bytes(rate * ms // 1000 * 2)


def audio_event(pcm: bytes, rate: int) -> dict[str, Any]:
    return {"type": "client_audio_append", "session_id": "s", "audio": base64.b64encode(pcm).decode(),
            "format": {"type": "audio/pcm", "rate": rate}}


def frames(pcm: bytes, rate: int, ms: int = 20) -> list[bytes]:
    step = rate * ms // 1000 * 2
    return [pcm[i:i + step] for i in range(0, len(pcm), step)]
