"""Plain values that configure one agent in a session (built by the Django side from the models)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Provider = Literal["local", "openai", "dashscope", "gemini"]
ToolKind = Literal["python", "http", "client"]


@dataclass(frozen=True)
class TurnDetection:
    """Server-side voice activity detection; ``None`` in its place means manual turns (commit)."""

    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500


@dataclass(frozen=True)
class HttpToolConfig:
    url: str
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)  # plaintext here; encrypted at rest
    timeout_s: float = 10.0


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments object
    kind: ToolKind = "python"
    python_function: str | None = None  # a name in agents.tools.registry
    http: HttpToolConfig | None = None


@dataclass(frozen=True)
class AgentSpec:
    agent_id: str
    name: str
    instructions: str  # already rendered from the prompt template
    provider: Provider = "local"
    model: str = ""
    voice: str = ""
    api_key: str | None = None
    base_url: str | None = None  # the credential's override, else the settings URL
    turn_detection: TurnDetection | None = field(default_factory=TurnDetection)
    input_transcription: bool = True
    temperature: float | None = None
    max_output_tokens: int | None = None
    greeting: str = ""
    tools: tuple[ToolSpec, ...] = ()
    max_tool_steps: int = 3
    tool_timeout_s: float = 10.0
    client_tool_timeout_s: float = 30.0
    metadata: dict[str, str] = field(default_factory=dict)
