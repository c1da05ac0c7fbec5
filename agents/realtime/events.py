"""Client events of AgentScope v1's realtime protocol, validated, and the parser that reads them.

Accepted shapes are wider than v1's schema so v1's own pages work unmodified: audio ``format`` as
``{"type": "audio/pcm", "rate": N}`` or ``{"encoding": "pcm16", "sample_rate": N}``; the image under
``image`` or ``data``; ``session_id`` optional; extra keys ignored.

Bad input raises ``ProtocolError(code, message)``; the rooms consumer turns it into one ``server_error``
and keeps the socket open. Codes: ``invalid_json``, ``unknown_type``, ``missing_field``, ``invalid_field``,
``invalid_base64``, ``odd_byte_count``, ``audio_too_large``, ``text_too_large``, ``image_too_large``.

Server events are plain dicts built in ``server_events`` and re-exported here.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from agents.realtime import b64, json_frames
from agents.realtime.server_events import *  # noqa: F403  (one import path for both directions)
from agents.realtime.server_events import __all__ as _server_all

# Limits on one client event (decoded sizes). The AgentScope page sends ~8 KB audio chunks and its
# silence keep-alive up to 64,000 bytes; 256 KB is 2.6 s of 48 kHz audio.
MAX_AUDIO_CHUNK_BYTES = 256_000
MAX_TEXT_CHARS = 8_000
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MIN_AUDIO_RATE = 8_000
MAX_AUDIO_RATE = 48_000

_OWN_CODES = {"invalid_base64", "odd_byte_count", "audio_too_large", "text_too_large", "image_too_large"}


class ProtocolError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class ClientEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    type: str
    session_id: str | None = None


class ClientSessionCreate(ClientEvent):
    type: Literal["client_session_create"] = "client_session_create"
    config: dict[str, Any]


class ClientSessionEnd(ClientEvent):
    type: Literal["client_session_end"] = "client_session_end"


class ClientResponseCreate(ClientEvent):
    type: Literal["client_response_create"] = "client_response_create"


class ClientResponseCancel(ClientEvent):
    type: Literal["client_response_cancel"] = "client_response_cancel"


class ClientAudioCommit(ClientEvent):
    type: Literal["client_audio_commit"] = "client_audio_commit"


class ClientTextAppend(ClientEvent):
    type: Literal["client_text_append"] = "client_text_append"
    text: str

    @field_validator("text")
    @classmethod
    def _bounded(cls, value: str) -> str:
        if len(value) > MAX_TEXT_CHARS:
            raise PydanticCustomError("text_too_large", f"text is over {MAX_TEXT_CHARS} characters")
        return value


def _decoded_size(b64: str) -> int:
    return len(b64) * 3 // 4


def _b64decode(value: object, *, limit: int, too_large: str, what: str) -> bytes:
    """Decoded bytes, at most ``limit`` of them (``too_large`` names the error, ``what`` the payload)."""
    if not isinstance(value, str):
        raise PydanticCustomError("invalid_base64", "expected a base64 string")
    if _decoded_size(value) > limit + 3:  # refuse before decoding what is plainly too large
        raise PydanticCustomError(too_large, f"payload is over {limit} bytes")
    try:
        raw = b64.decode(value)
    except (binascii.Error, ValueError):
        raise PydanticCustomError("invalid_base64", "not valid base64") from None
    if len(raw) > limit:
        raise PydanticCustomError(too_large, f"{what} is over {limit} bytes")
    return raw


class ClientAudioAppend(ClientEvent):
    """``audio`` holds the decoded PCM16 bytes after validation; ``rate`` the declared sample rate."""

    type: Literal["client_audio_append"] = "client_audio_append"
    audio: bytes
    rate: int = Field(ge=MIN_AUDIO_RATE, le=MAX_AUDIO_RATE)

    @model_validator(mode="before")
    @classmethod
    def _format(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "format" not in data:
            return data
        fmt = data["format"]
        if not isinstance(fmt, dict):
            raise PydanticCustomError("invalid_format", "format must be an object")
        kind = fmt.get("type", fmt.get("encoding", "audio/pcm"))
        if kind not in ("audio/pcm", "pcm16"):
            raise PydanticCustomError("invalid_format", f"unsupported audio format {kind!r}; send PCM16")
        rate = fmt.get("rate", fmt.get("sample_rate"))
        return {**data, "rate": rate}

    @field_validator("audio", mode="before")
    @classmethod
    def _decode(cls, value: object) -> bytes:
        pcm = _b64decode(value, limit=MAX_AUDIO_CHUNK_BYTES, too_large="audio_too_large", what="audio chunk")
        if len(pcm) % 2:
            raise PydanticCustomError("odd_byte_count", "PCM16 audio needs an even number of bytes")
        return pcm


class ClientImageAppend(ClientEvent):
    """``image`` stays base64 (providers take it that way); v1's page sends it under ``data``."""

    type: Literal["client_image_append"] = "client_image_append"
    image: str
    mime_type: str = "image/jpeg"

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fixed = dict(data)
        if "image" not in fixed and "data" in fixed:
            fixed["image"] = fixed["data"]
        fmt = fixed.get("format")
        if isinstance(fmt, dict):
            fixed["mime_type"] = fmt.get("mime_type") or fmt.get("type") or "image/jpeg"
        return fixed

    @field_validator("image", mode="before")
    @classmethod
    def _valid(cls, value: object) -> str:
        _b64decode(value, limit=MAX_IMAGE_BYTES, too_large="image_too_large", what="image")
        assert isinstance(value, str)
        return value

    @field_validator("mime_type")
    @classmethod
    def _image_type(cls, value: str) -> str:
        if not value.startswith("image/"):
            raise PydanticCustomError("invalid_format", f"not an image type: {value!r}")
        return value


class ClientToolResult(ClientEvent):
    type: Literal["client_tool_result"] = "client_tool_result"
    id: str
    name: str
    output: str | list[dict[str, Any]]

    def output_text(self) -> str:
        """The output as the one string providers take: text blocks joined, other blocks as JSON."""
        if isinstance(self.output, str):
            return self.output
        parts = [str(b.get("text", "")) if b.get("type") == "text" else json.dumps(b) for b in self.output]
        return "\n".join(parts)


CLIENT_EVENTS: dict[str, type[ClientEvent]] = {
    cls.model_fields["type"].default: cls
    for cls in (ClientSessionCreate, ClientSessionEnd, ClientResponseCreate, ClientResponseCancel,
                ClientTextAppend, ClientAudioAppend, ClientAudioCommit, ClientImageAppend, ClientToolResult)
}


def parse_client_event(raw: str | bytes | Mapping[str, Any],
                       extra: Mapping[str, type[ClientEvent]] | None = None) -> ClientEvent:
    """One client frame -> a validated event. ``extra`` adds event types (the rooms layer's own)."""
    if isinstance(raw, bytes | str):
        try:
            data = json_frames.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ProtocolError("invalid_json", "the frame is not valid JSON") from None
    else:
        data = raw
    if not isinstance(data, Mapping):
        raise ProtocolError("invalid_json", "an event must be a JSON object")
    kind = data.get("type")
    if kind is None:
        raise ProtocolError("missing_field", "the event has no 'type'")
    model = (extra or {}).get(kind) if isinstance(kind, str) else None
    model = model or (CLIENT_EVENTS.get(kind) if isinstance(kind, str) else None)
    if model is None:
        raise ProtocolError("unknown_type", f"unknown event type {str(kind)[:64]!r}")
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise _protocol_error(exc) from None


def _protocol_error(exc: ValidationError) -> ProtocolError:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in error["loc"]) or "event"
    if error["type"] == "missing":
        return ProtocolError("missing_field", f"missing field '{where}'")
    if error["type"] in _OWN_CODES:
        return ProtocolError(error["type"], f"{where}: {error['msg']}")
    return ProtocolError("invalid_field", f"{where}: {error['msg']}")


__all__ = [
    "CLIENT_EVENTS", "MAX_AUDIO_CHUNK_BYTES", "MAX_AUDIO_RATE", "MAX_IMAGE_BYTES", "MAX_TEXT_CHARS",
    "MIN_AUDIO_RATE", "ClientAudioAppend", "ClientAudioCommit", "ClientEvent", "ClientImageAppend",
    "ClientResponseCancel", "ClientResponseCreate", "ClientSessionCreate", "ClientSessionEnd",
    "ClientTextAppend", "ClientToolResult", "ProtocolError", "parse_client_event", *_server_all,
]
