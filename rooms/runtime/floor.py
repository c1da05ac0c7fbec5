"""Floor policies: who hears a person, and which agent answers another agent.

Pure logic over agent ids and names, so every policy is testable without sockets.

- ``free``: everyone hears everyone (AgentScope's ChatRoom).
- ``round_robin``: one agent holds the floor at a time and it passes in turn after each response.
- ``addressed``: an agent answers when its name is said; otherwise the agent that spoke last with the
  person (at first, the first agent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

POLICIES = ("free", "round_robin", "addressed")


@dataclass(frozen=True)
class FloorAgent:
    agent_id: str
    name: str


@dataclass
class Floor:
    policy: str
    agents: list[FloorAgent] = field(default_factory=list)
    _turn: int = 0
    _current: str | None = None

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"unknown floor policy {self.policy!r}")

    def _ids(self) -> list[str]:
        return [a.agent_id for a in self.agents]

    def holder(self) -> str | None:
        """The agent that answers the next person turn (None when the room has no agent)."""
        if not self.agents:
            return None
        if self.policy == "round_robin":
            return self.agents[self._turn % len(self.agents)].agent_id
        if self.policy == "addressed":
            return self._current or self.agents[0].agent_id
        return None

    def addressed_in(self, text: str, *, exclude: str | None = None) -> list[str]:
        found = []
        for agent in self.agents:
            if agent.agent_id == exclude or not agent.name:
                continue
            if re.search(rf"(?<!\w){re.escape(agent.name)}(?!\w)", text, flags=re.IGNORECASE):
                found.append(agent.agent_id)
        return found

    def for_person(self, text: str | None = None) -> list[str]:
        """Agents that receive a person's input (audio when ``text`` is None)."""
        if self.policy == "free":
            return self._ids()
        if self.policy == "addressed" and text:
            named = self.addressed_in(text)
            if named:
                self._current = named[0]
                return named
        holder = self.holder()
        return [holder] if holder else []

    def for_agent_output(self, speaker: str, text: str | None = None) -> list[str]:
        """Agents that hear what ``speaker`` said (its audio, or its final transcript)."""
        others = [a for a in self._ids() if a != speaker]
        if self.policy == "free":
            return others
        if self.policy == "round_robin":
            return [self.next_after(speaker)] if others else []
        named = self.addressed_in(text or "", exclude=speaker)
        if named:
            return named
        return [others[0]] if others else []

    def next_after(self, agent_id: str) -> str:
        ids = self._ids()
        return ids[(ids.index(agent_id) + 1) % len(ids)] if agent_id in ids else ids[0]

    def response_finished(self, agent_id: str) -> None:
        """Round robin passes the floor after each completed response."""
        if self.policy == "round_robin" and self.agents:
            ids = self._ids()
            if agent_id in ids:
                self._turn = (ids.index(agent_id) + 1) % len(ids)
