"""A fake DashScope Qwen-Omni realtime server: the beta-style dialect, 16 kHz in, pcm24/pcm16 out.

What differs from OpenAI, per Alibaba's Qwen-Omni-Realtime reference: a flat session
(``modalities``, ``input_audio_format``, ``output_audio_format``, ``input_audio_transcription``), beta
event names, a completed-only user transcript, ``input_image_buffer.append`` for frames, and no
``conversation.item.create`` (so no typed text and no tool output) and no truncate.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.openai_server import BETA_NAMES, FakeOpenAI, RealtimeState
from tests.fakes.server import FakeConnection, Frame

RATES = {"pcm16": 16000, "pcm24": 24000}


class FakeDashScope(FakeOpenAI):
    """``async with FakeDashScope(output_audio_format="pcm16") as fake``: ``fake.url`` is the realtime base."""

    path = "/api-ws/v1/realtime"
    input_rate = 16000
    provider_model = "qwen3-omni-flash-realtime"

    def __init__(self, *, output_audio_format: str = "pcm24", **kwargs: Any) -> None:
        super().__init__(legacy_names=True, **kwargs)
        self.names = BETA_NAMES
        self.output_audio_format = output_audio_format

    def initial_session(self, conn: FakeConnection) -> dict[str, Any]:
        return {
            "id": self.new_id("sess"), "object": "realtime.session", "model": conn.query.get("model", ""),
            "modalities": ["text", "audio"], "voice": "Cherry", "instructions": "",
            "input_audio_format": "pcm16", "output_audio_format": self.output_audio_format,
            "input_audio_transcription": {"model": "gummy-realtime-v1"},
            "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                               "silence_duration_ms": 800},
            "temperature": 0.8, "max_response_output_tokens": "inf",
        }

    def apply_update(self, current: dict[str, Any], update: dict[str, Any]) -> tuple[str, str, str] | None:
        if update.get("input_audio_format", "pcm16") != "pcm16":
            return ("invalid_value", "Invalid input_audio_format, only pcm16 is supported.",
                    "session.input_audio_format")
        # The model decides its output format: an older model keeps pcm16 whatever is asked.
        update = {k: v for k, v in update.items() if k != "output_audio_format"}
        current.update(update)
        return None

    def turn_detection(self, session: dict[str, Any]) -> dict[str, Any] | None:
        td: dict[str, Any] | None = session.get("turn_detection")
        return td

    def transcription_on(self, session: dict[str, Any]) -> bool:
        return bool(session.get("input_audio_transcription"))

    def output_rate(self, session: dict[str, Any]) -> int:
        return RATES[session["output_audio_format"]]

    def text_only(self, session: dict[str, Any]) -> bool:
        return session.get("modalities") == ["text"]

    def handlers(self) -> dict[str, Any]:
        handlers = super().handlers()
        del handlers["conversation.item.create"], handlers["conversation.item.truncate"]
        handlers["input_image_buffer.append"] = self._image
        return handlers

    async def transcribe(self, conn: FakeConnection, item_id: str) -> None:
        await self.emit(conn, "conversation.item.input_audio_transcription.completed", item_id=item_id,
                        content_index=0, transcript=self.user_transcript)

    async def _image(self, conn: FakeConnection, st: RealtimeState, frame: Frame) -> None:
        if not isinstance(frame.get("image"), str) or not frame["image"]:
            await self.error(conn, "invalid_value", "Invalid image: expected base64 JPEG data.", param="image")
