"""PCM16 helpers: a streaming resampler and an energy voice-activity detector (numpy only).

``StreamingResampler`` keeps state between chunks so a stream cut anywhere resamples exactly like the
whole (AgentScope v1 resampled each chunk on its own and clicked at every edge). Downsampling first
runs a windowed-sinc low-pass FIR whose last ``taps - 1`` inputs are carried over; the rate change is
linear interpolation whose read position is tracked as an exact fraction (no drift over hours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]
FIR_TAPS = 31


def pcm16_to_float(pcm: bytes) -> Samples:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm16(samples: npt.NDArray[np.floating]) -> bytes:
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()


def pcm_ms(n_bytes: int, rate: int) -> float:
    return n_bytes / 2 / rate * 1000.0


def _lowpass(cutoff: float, taps: int) -> npt.NDArray[np.float64]:
    """Windowed-sinc (Blackman) low-pass, ``cutoff`` as a fraction of the input rate (0..0.5)."""
    n = np.arange(taps) - (taps - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(taps)
    return h / h.sum()


class StreamingResampler:
    """Resample one mono PCM16 stream from ``in_rate`` to ``out_rate``, chunk by chunk."""

    def __init__(self, in_rate: int, out_rate: int, *, taps: int = FIR_TAPS):
        self.in_rate = in_rate
        self.out_rate = out_rate
        g = math.gcd(in_rate, out_rate)
        self._up = out_rate // g  # output sample k sits at input position k * down / up
        self._down = in_rate // g
        self._phase = 0  # numerator (over up) of the next output position, relative to _prev
        self._prev: float | None = None
        self._fir = _lowpass(0.45 * out_rate / in_rate, taps) if out_rate < in_rate else None
        self._fir_tail = np.zeros(taps - 1, dtype=np.float64)
        self._cache: dict[tuple[int, int], tuple[npt.NDArray[np.intp], Samples]] = {}

    def process(self, pcm: bytes) -> bytes:
        if self.in_rate == self.out_rate or not pcm:
            return pcm
        # Work in int16 scale (no divide and multiply back) and float32 throughout: this runs per frame.
        x = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
        if self._fir is not None:
            # float64: numpy's direct convolution is markedly faster in double than in single precision
            padded = np.concatenate((self._fir_tail, x.astype(np.float64)))
            self._fir_tail = padded[-(len(self._fir) - 1):]
            x = np.convolve(padded, self._fir, mode="valid").astype(np.float32)
        out = self._interpolate(x)
        np.rint(out, out=out)
        if self._fir is not None:  # a low-pass can overshoot full scale; interpolation cannot
            np.clip(out, -32768, 32767, out=out)
        return out.astype("<i2").tobytes()

    def _interpolate(self, x: Samples) -> Samples:
        buf = x if self._prev is None else np.concatenate((np.array([self._prev], dtype=np.float32), x))
        last = len(buf) - 1
        self._prev = float(buf[-1])
        # Outputs whose position is strictly before the last input; the rest waits for the next chunk.
        span = last * self._up - self._phase
        n = max(0, -(-span // self._down))
        if n == 0:
            self._phase -= last * self._up
            return np.zeros(0, dtype=np.float32)
        idx, frac = self._positions(self._phase, n)
        self._phase = self._phase + n * self._down - last * self._up
        left = buf[idx]
        return left + (buf[idx + 1] - left) * frac

    def _positions(self, phase: int, n: int) -> tuple[npt.NDArray[np.intp], Samples]:
        # Equal-sized frames cycle through a few phases, so the index tables are cached.
        key = (phase, n)
        hit = self._cache.get(key)
        if hit is None:
            numer = phase + np.arange(n, dtype=np.int64) * self._down
            idx = numer // self._up
            hit = (idx.astype(np.intp), ((numer - idx * self._up) / self._up).astype(np.float32))
            if len(self._cache) >= 64:
                self._cache.clear()
            self._cache[key] = hit
        return hit


class Resamplers:
    """One resampler per source rate of a stream; a rate change starts a fresh one."""

    def __init__(self, out_rate: int):
        self.out_rate = out_rate
        self._current: StreamingResampler | None = None

    def process(self, pcm: bytes, rate: int) -> bytes:
        if self._current is None or self._current.in_rate != rate:
            self._current = StreamingResampler(rate, self.out_rate)
        return self._current.process(pcm)

    def reset(self) -> None:
        self._current = None


@dataclass
class VadEvent:
    kind: str  # "start" | "end"
    at_ms: int  # position in the audio stream


class EnergyVad:
    """Speech = 20 ms frames whose RMS is over a threshold; ``threshold`` 0..1 as in ``TurnDetection``
    (0.5 -> RMS 0.02, about -34 dBFS). Start after ``start_frames`` loud frames in a row; end after
    ``silence_ms`` of quiet. Timestamps are stream positions, so they are real and reproducible."""

    FRAME_MS = 20

    def __init__(self, rate: int, *, threshold: float = 0.5, silence_ms: int = 500, start_frames: int = 2):
        self.rate = rate
        self.level = 0.04 * threshold
        self.silence_ms = silence_ms
        self.start_frames = start_frames
        self._frame = rate * self.FRAME_MS // 1000
        self._pending = np.zeros(0, dtype=np.float32)
        self._position_ms = 0
        self._loud_run = 0
        self._quiet_ms = 0
        self.speaking = False
        self._last_loud_end_ms = 0

    def feed(self, pcm: bytes) -> list[VadEvent]:
        samples = np.concatenate((self._pending, pcm16_to_float(pcm)))
        whole = len(samples) // self._frame * self._frame
        self._pending = samples[whole:]
        if not whole:
            return []
        frames = samples[:whole].reshape(-1, self._frame)
        loud = np.sqrt(np.mean(frames * frames, axis=1)) > self.level
        events: list[VadEvent] = []
        for is_loud in loud.tolist():
            self._position_ms += self.FRAME_MS
            if is_loud:
                self._loud_run += 1
                self._quiet_ms = 0
                self._last_loud_end_ms = self._position_ms
                if not self.speaking and self._loud_run >= self.start_frames:
                    self.speaking = True
                    events.append(VadEvent("start", self._position_ms - self._loud_run * self.FRAME_MS))
            else:
                self._loud_run = 0
                if self.speaking:
                    self._quiet_ms += self.FRAME_MS
                    if self._quiet_ms >= self.silence_ms:
                        self.speaking = False
                        events.append(VadEvent("end", self._last_loud_end_ms))
        return events

    @property
    def position_ms(self) -> int:
        return self._position_ms
