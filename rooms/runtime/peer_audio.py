"""Feeds one agent's speech to another agent the way a person's microphone would: in real time,
in 20 ms frames, followed by trailing silence so the listener's turn detection closes the turn.

AgentScope's ChatRoom forwarded peer audio as fast as it arrived with no trailing silence, so the
listener's server VAD never saw the turn end and its page sent silence to paper over it; this pacer
makes the page's keep-alive unnecessary.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from agents.realtime.tasks import stop_task

SendAudio = Callable[[bytes, int], Awaitable[None]]
TurnEnd = Callable[[], Awaitable[None]]

FRAME_MS = 20
MAX_BUFFERED_SECONDS = 30.0  # bounded: beyond this the oldest audio is dropped


class PeerAudioPacer:
    def __init__(self, send: SendAudio, *, on_turn_end: TurnEnd | None = None, frame_ms: int = FRAME_MS,
                 clock: Callable[[], float] = time.monotonic):
        self._send = send
        self._on_turn_end = on_turn_end
        self._frame_ms = frame_ms
        self._clock = clock
        self._queue: deque[tuple[bytes, int] | None] = deque()  # None marks a turn end
        self._buffered = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.frames_sent = 0

    def feed(self, pcm: bytes, rate: int) -> None:
        if self._closed or not pcm:
            return
        frame_bytes = rate * self._frame_ms // 1000 * 2
        for start in range(0, len(pcm), frame_bytes):
            self._queue.append((pcm[start:start + frame_bytes], rate))
        self._buffered += len(pcm) / 2 / rate
        while self._buffered > MAX_BUFFERED_SECONDS and self._queue:
            dropped = self._queue.popleft()
            if dropped is not None:
                self._buffered -= len(dropped[0]) / 2 / dropped[1]
        self._kick()

    def end_turn(self, silence_ms: int, rate: int) -> None:
        """Append ``silence_ms`` of silence, then signal the end of the turn."""
        if self._closed:
            return
        self.feed(bytes(rate * silence_ms // 1000 * 2), rate)
        self._queue.append(None)
        self._kick()

    def flush(self) -> None:
        """Drop what was not yet played (the speaker was interrupted)."""
        self._queue.clear()
        self._buffered = 0.0

    @property
    def pending_seconds(self) -> float:
        return self._buffered

    def _kick(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="peer-audio-pacer")
        self._wake.set()

    async def _run(self) -> None:
        next_at: float | None = None
        while not self._closed:
            if not self._queue:
                self._wake.clear()
                next_at = None  # an idle gap restarts the real-time clock
                await self._wake.wait()
                continue
            item = self._queue.popleft()
            if item is None:
                if self._on_turn_end is not None:
                    await self._on_turn_end()
                continue
            pcm, rate = item
            now = self._clock()
            next_at = now if next_at is None else next_at
            if next_at > now:
                await asyncio.sleep(next_at - now)
            await self._send(pcm, rate)
            self.frames_sent += 1
            duration = len(pcm) / 2 / rate
            self._buffered = max(0.0, self._buffered - duration)
            next_at += duration

    async def close(self) -> None:
        self._closed = True
        self._queue.clear()
        await stop_task(self._task)
        self._task = None
