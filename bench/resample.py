"""Streaming resampler throughput, printed beside ``np.interp`` on the same data in the same run.

    .venv/bin/python bench/resample.py [--seconds 4] [--repeat 5]

"x real time" = seconds of audio processed per second of one core, best of ``--repeat`` interleaved
runs (this machine's speed swings 2-3x between runs; the best run is the one least disturbed). ``np.interp`` is the baseline
the machine notes measured: stateless linear interpolation per chunk (no filter, clicks at edges),
so it is a floor on cost, not an equivalent. Ours keeps state and low-passes when downsampling.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from agents.realtime.audio import StreamingResampler  # noqa: E402


def pcm(seconds: float, rate: int) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    noise = np.random.default_rng(0).normal(0, 0.05, len(t))
    return ((0.3 * np.sin(2 * np.pi * 440 * t) + noise) * 32767).astype("<i2").tobytes()


def chunks(data: bytes, rate: int, ms: int) -> list[bytes]:
    step = rate * ms // 1000 * 2
    return [data[i:i + step] for i in range(0, len(data), step)]


def ours(parts: list[bytes], src: int, dst: int) -> float:
    resampler = StreamingResampler(src, dst)
    start = time.process_time()
    for part in parts:
        resampler.process(part)
    return time.process_time() - start


def interp(parts: list[bytes], src: int, dst: int) -> float:
    start = time.process_time()
    for part in parts:
        x = np.frombuffer(part, dtype="<i2").astype(np.float32)
        n = len(x) * dst // src
        out = np.interp(np.arange(n) * (src / dst), np.arange(len(x)), x)
        out.astype("<i2").tobytes()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'conversion':<16}{'chunk':>8}{'ours x RT':>12}{'np.interp x RT':>16}{'ours / interp cost':>20}")
    for src, dst in [(16000, 24000), (24000, 16000), (48000, 16000), (48000, 24000), (44100, 24000)]:
        data = pcm(args.seconds, src)
        for ms in (20, 100):
            parts = chunks(data, src, ms)
            mine, base = float("inf"), float("inf")
            for _ in range(args.repeat):
                mine, base = min(mine, ours(parts, src, dst)), min(base, interp(parts, src, dst))
            print(f"{f'{src}->{dst}':<16}{f'{ms} ms':>8}{args.seconds / mine:>12,.0f}{args.seconds / base:>16,.0f}"
                  f"{mine / base:>20.2f}")


if __name__ == "__main__":
    main()
