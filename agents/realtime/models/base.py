"""The one interface every provider adapter implements, and the normalized events it yields.

An adapter owns one provider connection. ``connect`` returns once the provider acknowledged the
session (``session.updated`` / ``setupComplete``), so nothing is sent before that. ``events()`` yields
normalized ``ModelEvent`` values and ends after ``ModelDisconnected`` (provider gone) or ``close()``.
Audio crosses this interface as raw PCM16 mono bytes at ``capabilities.input_rate`` (in) and at the
rate each ``AudioDelta`` declares (out); resampling is the bridge's job.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal

from agents.realtime.spec import AgentSpec

Truncation = Literal["none", "server", "explicit"]


@dataclass(frozen=True)
class ModelCapabilities:
    input_rate: int
    output_rate: int
    text_input: bool
    image_input: bool
    tools: bool
    truncation: Truncation
    server_vad: bool = True


# --- normalized events (provider -> engine) ---------------------------------------------------


@dataclass(frozen=True)
class SessionReady:
    session_id: str = ""


@dataclass(frozen=True)
class ResponseCreated:
    response_id: str


@dataclass(frozen=True)
class AudioDelta:
    response_id: str
    item_id: str
    pcm: bytes
    rate: int


@dataclass(frozen=True)
class AudioDone:
    response_id: str
    item_id: str


@dataclass(frozen=True)
class TranscriptDelta:
    response_id: str
    item_id: str
    delta: str


@dataclass(frozen=True)
class TranscriptDone:
    response_id: str
    item_id: str
    transcript: str  # the full text (AgentScope v1 dropped it; we keep it)


@dataclass(frozen=True)
class ToolCallDelta:
    response_id: str
    item_id: str
    call_id: str
    name: str
    arguments_so_far: str


@dataclass(frozen=True)
class ToolCall:
    response_id: str
    item_id: str
    call_id: str
    name: str
    arguments: str  # the authoritative, complete JSON text


@dataclass(frozen=True)
class ResponseDone:
    response_id: str
    status: str = "completed"  # completed | cancelled | incomplete | failed | interrupted
    input_tokens: int = 0
    output_tokens: int = 0
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InputStarted:
    item_id: str
    audio_start_ms: int


@dataclass(frozen=True)
class InputDone:
    item_id: str
    audio_end_ms: int


@dataclass(frozen=True)
class InputTranscriptDelta:
    item_id: str
    delta: str


@dataclass(frozen=True)
class InputTranscriptDone:
    item_id: str
    transcript: str
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True)
class Interrupted:
    """The provider stopped generating because the user spoke (Gemini's ``interrupted``)."""

    response_id: str


@dataclass(frozen=True)
class ModelError:
    code: str
    message: str
    error_type: str = "provider_error"
    fatal: bool = False


@dataclass(frozen=True)
class GoAway:
    time_left_ms: int


@dataclass(frozen=True)
class ModelDisconnected:
    """The provider connection ended without ``close()``; always the last event."""

    reason: str
    code: int | None = None


ModelEvent = (
    SessionReady | ResponseCreated | AudioDelta | AudioDone | TranscriptDelta | TranscriptDone
    | ToolCallDelta | ToolCall | ResponseDone | InputStarted | InputDone | InputTranscriptDelta
    | InputTranscriptDone | Interrupted | ModelError | GoAway | ModelDisconnected
)


@dataclass(frozen=True)
class HistoryItem:
    """A finished conversation item, replayed into a fresh connection after a reconnect or handoff."""

    role: Literal["user", "assistant", "tool"]
    text: str


class ModelUnsupported(Exception):
    """The input kind is not supported by this provider (e.g. typed text on DashScope)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class ModelConnectError(Exception):
    """The provider refused or could not be reached while connecting."""


class RealtimeModel(abc.ABC):
    capabilities: ModelCapabilities

    def __init__(self, spec: AgentSpec, url: str):
        self.spec = spec
        self.url = url

    @abc.abstractmethod
    async def connect(self, history: tuple[HistoryItem, ...] = ()) -> None:
        """Open the socket, configure the session (instructions, tools, voice, turn detection) and
        wait for the provider's acknowledgement. ``history`` restores context after a reconnect."""

    @abc.abstractmethod
    def events(self) -> AsyncIterator[ModelEvent]: ...

    @abc.abstractmethod
    async def send_audio(self, pcm: bytes) -> None:
        """PCM16 mono at ``capabilities.input_rate``."""

    def audio_writable(self) -> bool:
        """Whether ``send_audio_now`` may be called: the adapter can send a chunk without waiting."""
        return False

    def send_audio_now(self, pcm: bytes) -> None:
        """``send_audio`` without a wait, once ``audio_writable()`` said so; for adapters that can."""
        raise NotImplementedError

    @abc.abstractmethod
    async def send_text(self, text: str) -> None:
        """A user text turn that gets a reply; raises ``ModelUnsupported`` where the API has none."""

    @abc.abstractmethod
    async def send_image(self, data_b64: str, mime_type: str = "image/jpeg") -> None: ...

    @abc.abstractmethod
    async def commit_audio(self) -> None:
        """End the user's turn by hand (manual turn detection) and ask for a response."""

    @abc.abstractmethod
    async def create_response(self) -> None: ...

    @abc.abstractmethod
    async def send_tool_result(self, call_id: str, name: str, output: str, *, last: bool = True) -> None:
        """Return a tool's output (a string) and, when ``last``, make the model continue."""

    @abc.abstractmethod
    async def cancel_response(self) -> None: ...

    @abc.abstractmethod
    async def truncate(self, item_id: str, played_ms: int) -> None:
        """Trim the assistant item to what the user heard (no-op where truncation is not explicit)."""

    async def speak(self, text: str) -> None:
        """Say ``text`` as the agent (the greeting). Optional: the default raises ``ModelUnsupported``
        and the bridge asks for a plain response instead; adapters that can script a reply override it."""
        raise ModelUnsupported("speak_unsupported", "this model cannot be told what to say")

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the connection; idempotent; ``events()`` ends without ``ModelDisconnected``."""
