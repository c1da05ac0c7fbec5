"""DashScope Qwen-Omni realtime adapter: OpenAI's beta-style dialect with DashScope's own session.

What it does differently from OpenAI, and why:
* the output rate is read from the ``output_audio_format`` the server echoes in ``session.created`` /
  ``session.updated`` (``pcm24`` on qwen3-omni-flash, ``pcm16`` on older models), never guessed from
  the model name (AgentScope v1 defect 9);
* typed text raises ``ModelUnsupported``: the API has no ``conversation.item.create``, and
  ``response.create`` instructions do not work as user input (v1 defect 10);
* tools: treated as tool-less. The qwen3-omni-flash realtime reference this adapter follows has no
  tool fields (v1 sent none); newer qwen3.5/3.8-omni realtime models document function calling, which
  would be a separate adapter revision. ``send_tool_result`` raises ``ModelUnsupported``;
* no truncate: the provider keeps the full reply after a barge-in (``truncation="none"``).
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from agents.realtime.models.base import HistoryItem, ModelCapabilities, ModelUnsupported
from agents.realtime.models.connection import with_query
from agents.realtime.models.openai import OpenAIRealtimeModel, RealtimeEventParser, server_vad

DEFAULT_MODEL = "qwen3-omni-flash-realtime"
DEFAULT_VOICE = "Cherry"
DEFAULT_TRANSCRIPTION_MODEL = "gummy-realtime-v1"
OUTPUT_RATES = {"pcm16": 16000, "pcm24": 24000}
HISTORY_CHARS = 4000


class DashScopeEventParser(RealtimeEventParser):
    def __init__(self, model: DashScopeRealtimeModel) -> None:
        super().__init__(model.capabilities.output_rate)
        self._model = model

    def on_session(self, session: dict[str, Any]) -> None:
        rate = OUTPUT_RATES.get(str(session.get("output_audio_format", "")))
        if rate:
            self.output_rate = rate
            self._model.capabilities = dataclasses.replace(self._model.capabilities, output_rate=rate)


class DashScopeRealtimeModel(OpenAIRealtimeModel):
    provider_name = "dashscope"
    capabilities = ModelCapabilities(input_rate=16000, output_rate=24000, text_input=False, image_input=True,
                                     tools=False, truncation="none", server_vad=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._output_format = "pcm24"

    def _connect_url(self) -> str:
        return with_query(self.url, model=self.spec.model or DEFAULT_MODEL)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._auth_key()}", "X-DashScope-DataInspection": "disable"}

    def _new_parser(self) -> RealtimeEventParser:
        return DashScopeEventParser(self)

    def _on_created(self, session: dict[str, Any]) -> None:
        # Ask for the format the model already uses; the echo in session.updated stays the authority.
        fmt = str(session.get("output_audio_format", ""))
        if fmt in OUTPUT_RATES:
            self._output_format = fmt

    def _session_config(self, history: tuple[HistoryItem, ...]) -> dict[str, Any]:
        spec = self.spec
        turn_detection = server_vad(spec.turn_detection)
        transcription = None
        if spec.input_transcription:
            transcription = {"model": spec.metadata.get("transcription_model", DEFAULT_TRANSCRIPTION_MODEL)}
        session: dict[str, Any] = {
            "modalities": ["text", "audio"], "voice": spec.voice or DEFAULT_VOICE,
            "instructions": spec.instructions + _history_summary(history),
            "input_audio_format": "pcm16", "output_audio_format": self._output_format,
            "input_audio_transcription": transcription, "turn_detection": turn_detection,
        }
        if spec.temperature is not None:
            session["temperature"] = spec.temperature
        if spec.max_output_tokens:
            session["max_tokens"] = spec.max_output_tokens
        return session

    async def _send_history(self, item: HistoryItem) -> None:
        return None  # folded into the instructions: the API cannot create conversation items

    async def send_text(self, text: str) -> None:
        raise ModelUnsupported("text_input_unsupported",
                               "DashScope Qwen-Omni realtime accepts audio and images only, not typed text.")

    async def send_image(self, data_b64: str, mime_type: str = "image/jpeg") -> None:
        if mime_type not in ("image/jpeg", "image/jpg"):
            raise ModelUnsupported("image_format_unsupported", "DashScope accepts JPEG frames only.")
        base64.b64decode(data_b64, validate=True)
        await self._send({"type": "input_image_buffer.append", "image": data_b64})

    async def send_tool_result(self, call_id: str, name: str, output: str, *, last: bool = True) -> None:
        raise ModelUnsupported("tools_unsupported", "This DashScope realtime model has no tool calls.")

    async def truncate(self, item_id: str, played_ms: int) -> None:
        return None  # truncation "none": DashScope has no truncate event


def _history_summary(history: tuple[HistoryItem, ...]) -> str:
    if not history:
        return ""
    lines = [f"{item.role}: {item.text}" for item in history]
    text = "\n".join(lines)[-HISTORY_CHARS:]
    return "\n\nThe conversation so far (continue from here):\n" + text
