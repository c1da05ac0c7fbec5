"""What a fake provider says back: scripted replies, tool calls and synthetic audio."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class FakeToolCall:
    """A function call the fake model makes. ``call_id`` is generated when empty."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    call_id: str = ""
    stream_arguments: bool = True  # OpenAI-style argument deltas before `.done`; False = only `.done`


@dataclass(frozen=True)
class Reply:
    """One model turn. With ``tool_calls`` the turn is those calls (after any text), like the real APIs.

    ``drop_after_chunks`` closes the socket abruptly (code 1011) after that many audio chunks, so tests
    see a provider that dies mid-response. ``chunk_delay_s`` paces chunks so a cancel or barge-in can
    land while the reply is still streaming.
    """

    text: str = "Hello from the fake provider."
    audio_ms: int = 240
    chunk_ms: int = 40
    tool_calls: tuple[FakeToolCall, ...] = ()
    drop_after_chunks: int | None = None
    chunk_delay_s: float = 0.0
    input_tokens: int = 11
    output_tokens: int = 7


def tone(ms: int, rate: int, *, freq: float = 440.0, amplitude: int = 8000) -> bytes:
    """PCM16 mono sine: loud enough to cross any fake VAD threshold."""
    n = rate * ms // 1000
    t = np.arange(n, dtype=np.float64) / rate
    return (amplitude * np.sin(2 * math.pi * freq * t)).astype("<i2").tobytes()


def silence(ms: int, rate: int) -> bytes:
    return b"\x00\x00" * (rate * ms // 1000)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def audio_chunks(reply: Reply, rate: int) -> list[bytes]:
    """The reply's audio split into ``chunk_ms`` pieces (the last one may be shorter)."""
    pcm = tone(reply.audio_ms, rate, freq=220.0)
    step = max(2, rate * reply.chunk_ms // 1000 * 2)
    return [pcm[i:i + step] for i in range(0, len(pcm), step)] or [b""]


def text_pieces(text: str, count: int) -> list[str]:
    """Split ``text`` into ``count`` deltas whose concatenation is exactly ``text``."""
    words = text.split(" ")
    if not text:
        return [""] * count
    pieces = [w + " " for w in words[:-1]] + [words[-1]]
    out = [""] * max(count, 1)
    for i, piece in enumerate(pieces):
        out[min(i * len(out) // len(pieces), len(out) - 1)] += piece
    return out


def rms(pcm: bytes) -> float:
    if len(pcm) < 2:
        return 0.0
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples * samples)))


@dataclass
class EnergyVad:
    """The fake's server VAD: RMS per appended chunk, with the provider's silence duration.

    ``threshold`` is the provider's 0..1 setting; it maps to 10% of full scale at 1.0 so a tone is
    speech and digital silence is not.
    """

    rate: int
    threshold: float = 0.5
    silence_duration_ms: int = 500
    samples_seen: int = 0
    speaking: bool = False
    start_ms: int = 0
    silence_ms: int = 0

    def feed(self, pcm: bytes) -> tuple[str, int] | None:
        """Returns ("start", audio_start_ms), ("stop", audio_end_ms) or None."""
        n = len(pcm) // 2
        begin_ms = self.samples_seen * 1000 // self.rate
        self.samples_seen += n
        end_ms = self.samples_seen * 1000 // self.rate
        loud = rms(pcm) >= self.threshold * 0.1 * 32768
        if loud:
            self.silence_ms = 0
            if not self.speaking:
                self.speaking = True
                self.start_ms = begin_ms
                return ("start", begin_ms)
            return None
        if self.speaking:
            self.silence_ms += end_ms - begin_ms
            if self.silence_ms >= self.silence_duration_ms:
                self.speaking = False
                return ("stop", end_ms)
        return None

    @property
    def position_ms(self) -> int:
        return self.samples_seen * 1000 // self.rate
