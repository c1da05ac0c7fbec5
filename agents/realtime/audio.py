"""PCM16 helpers: a streaming resampler and an energy voice-activity detector (numpy only).

``StreamingResampler`` keeps state between chunks so a stream cut anywhere resamples exactly like the
whole (AgentScope v1 resampled each chunk on its own and clicked at every edge). Upsampling is linear
interpolation; downsampling is a polyphase windowed-sinc low-pass computed only at the output positions
(so it costs ``taps`` multiply-adds per output sample, not per input sample), with the last
``taps - 1`` inputs carried over. Read positions are tracked as exact fractions (no drift over hours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]
FIR_TAPS = 32
_NO_SAMPLES = np.zeros(0, dtype=np.int16)


def float_to_pcm16(samples: npt.NDArray[np.floating]) -> bytes:
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()


def pcm_ms(n_bytes: int, rate: int) -> float:
    return n_bytes / 2 / rate * 1000.0


def _blackman(x: npt.NDArray[np.float64], half_width: int) -> npt.NDArray[np.float64]:
    """The Blackman window as a continuous function of the offset ``x`` (in samples, |x| <= half_width)."""
    a = np.pi * x / half_width
    return 0.42 + 0.5 * np.cos(a) + 0.08 * np.cos(2 * a)


def _polyphase_bank(up: int, cutoff: float, taps: int) -> npt.NDArray[np.float32]:
    """Row ``p`` holds the windowed-sinc low-pass sampled at offsets ``m - p / up`` from an output's
    position, for the ``taps`` inputs around it; ``cutoff`` is a fraction of the input rate (0..0.5).
    Each row is normalised to unit DC gain."""
    half = taps // 2
    offsets = np.arange(-half + 1, half + 1)[None, :] - (np.arange(up) / up)[:, None]
    bank = 2 * cutoff * np.sinc(2 * cutoff * offsets) * _blackman(offsets, half)
    return (bank / bank.sum(axis=1, keepdims=True)).astype(np.float32)


class StreamingResampler:
    """Resample one mono PCM16 stream from ``in_rate`` to ``out_rate``, chunk by chunk."""

    def __init__(self, in_rate: int, out_rate: int, *, taps: int = FIR_TAPS):
        self.in_rate = in_rate
        self.out_rate = out_rate
        g = math.gcd(in_rate, out_rate)
        self._up = out_rate // g  # output sample k sits at input position k * down / up
        self._down = in_rate // g
        self._phase = 0  # numerator (over up) of the next output position, relative to the kept inputs
        self._cache: dict[tuple[int, int], tuple[npt.NDArray[np.intp], Samples]] = {}  # polyphase rows
        self._positions_cache: dict[tuple[int, int], tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], Samples]] = {}
        # Upsampling: linear interpolation from the last sample of the previous chunk.
        self._prev: float | None = None
        # Downsampling: a polyphase windowed-sinc filter evaluated only at the output positions; the
        # last ``taps - 1`` inputs are kept, zeros before the stream (a delay of taps / 2 inputs).
        self._taps = taps
        self._bank = _polyphase_bank(self._up, 0.45 * out_rate / in_rate, taps) if out_rate < in_rate else None
        self._history = np.zeros(taps - 1, dtype=np.float32)

    def process(self, pcm: bytes) -> bytes:
        if self.in_rate == self.out_rate or not pcm:
            return pcm
        # Work in int16 scale (no divide and multiply back) and float32 throughout: this runs per frame.
        x = np.frombuffer(pcm, dtype="<i2")
        out = self._interpolate(x) if self._bank is None else self._filter(x)
        np.rint(out, out=out)
        if self._bank is not None:  # a low-pass can overshoot full scale; interpolation cannot
            np.clip(out, -32768, 32767, out=out)
        return out.astype("<i2").tobytes()

    def _filter(self, x: npt.NDArray[np.int16]) -> Samples:
        kept = len(self._history)
        buf = np.empty(kept + len(x), dtype=np.float32)
        buf[:kept] = self._history
        buf[kept:] = x
        # Output k reads inputs start_k .. start_k + taps - 1, start_k = (phase + k * down) // up; an
        # output is due once its last input has arrived.
        last_start = len(buf) - self._taps
        n = max(0, (last_start * self._up + self._up - 1 - self._phase) // self._down + 1)
        if n == 0:
            self._history = buf
            return np.zeros(0, dtype=np.float32)
        # A strided view: row s is buf[s : s + taps], no copy.
        windows = np.ndarray((last_start + 1, self._taps), dtype=np.float32, buffer=buf, strides=(4, 4))
        assert self._bank is not None
        if self._up == 1:  # integer decimation: one phase, one matrix-vector product
            out: Samples = windows[self._phase:self._phase + n * self._down:self._down] @ self._bank[0]
        else:
            starts, coefficients = self._polyphase_rows(self._phase, n)
            out = np.einsum("ij,ij->i", windows[starts], coefficients)
        self._phase += n * self._down
        drop = self._phase // self._up
        self._history = buf[drop:].copy()
        self._phase -= drop * self._up
        return out

    def _polyphase_rows(self, phase: int, n: int) -> tuple[npt.NDArray[np.intp], Samples]:
        # Equal-sized frames cycle through a few phases, so the tables are cached.
        key = (phase, n)
        hit = self._cache.get(key)
        if hit is None:
            assert self._bank is not None
            numer = phase + np.arange(n, dtype=np.int64) * self._down
            hit = ((numer // self._up).astype(np.intp), self._bank[numer % self._up])
            _remember(self._cache, key, hit)
        return hit

    def _interpolate(self, x: npt.NDArray[np.int16]) -> Samples:
        # In place where it can be: each numpy call costs about as much as its arithmetic on a frame.
        carried = self._prev is not None
        buf = np.empty(len(x) + carried, dtype=np.float32)
        if carried:
            buf[0] = self._prev
        buf[carried:] = x
        last = len(buf) - 1
        self._prev = float(buf[-1])
        # Outputs whose position is strictly before the last input; the rest waits for the next chunk.
        span = last * self._up - self._phase
        n = max(0, -(-span // self._down))
        if n == 0:
            self._phase -= last * self._up
            return np.zeros(0, dtype=np.float32)
        idx, after, frac = self._positions(self._phase, n)
        self._phase = self._phase + n * self._down - last * self._up
        left = buf[idx]
        out = buf[after]
        out -= left
        out *= frac
        out += left
        return out

    def _positions(self, phase: int, n: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], Samples]:
        key = (phase, n)
        hit = self._positions_cache.get(key)
        if hit is None:
            numer = phase + np.arange(n, dtype=np.int64) * self._down
            idx = numer // self._up
            hit = (idx.astype(np.intp), (idx + 1).astype(np.intp),
                   ((numer - idx * self._up) / self._up).astype(np.float32))
            _remember(self._positions_cache, key, hit)
        return hit


def _remember(cache: dict[tuple[int, int], Any], key: tuple[int, int], value: Any) -> None:
    if len(cache) >= 64:
        cache.clear()
    cache[key] = value


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
        # RMS over the threshold, compared as a frame's sum of squares in int16 units: no square root,
        # no divide, and a dot product instead of np.mean (whose Python wrapper costs more than the
        # arithmetic on a 20 ms frame, which this runs on 50 times a second per person).
        self._loud_energy = (self.level * 32768.0) ** 2 * self._frame
        self._pending = _NO_SAMPLES
        self._position_ms = 0
        self._loud_run = 0
        self._quiet_ms = 0
        self.speaking = False
        self._last_loud_end_ms = 0

    def feed(self, pcm: bytes) -> list[VadEvent]:
        samples = np.frombuffer(pcm, dtype="<i2")
        if len(self._pending):
            samples = np.concatenate((self._pending, samples))
        if len(samples) == self._frame:  # the usual case, one whole frame: as few numpy calls as can be
            self._pending = _NO_SAMPLES
            frame = samples.astype(np.float32)  # a float32 sum of squares is off by ~1e-6 of itself: ample
            loud = [float(np.dot(frame, frame)) > self._loud_energy]
        else:
            whole = len(samples) // self._frame * self._frame
            self._pending = samples[whole:]  # a view: the bytes it reads are immutable
            if not whole:
                return []
            frames = samples[:whole].astype(np.float32).reshape(-1, self._frame)
            loud = (np.einsum("ij,ij->i", frames, frames) > self._loud_energy).tolist()
        events: list[VadEvent] = []
        for is_loud in loud:
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
