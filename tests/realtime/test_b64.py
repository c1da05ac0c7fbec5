"""The audio base64 codec answers exactly as the standard library's strict codec does."""

from __future__ import annotations

import base64
import itertools
import random

import pytest

from agents.realtime import b64


def _outcome(decode, data):  # type: ignore[no-untyped-def]
    try:
        return "ok", decode(data)
    except Exception as exc:  # the type and message are what must match
        return type(exc), str(exc)


def _stdlib(data):  # type: ignore[no-untyped-def]
    return base64.b64decode(data, validate=True)


# Every string of up to five characters over base64's letters and the characters that break it:
# padding anywhere, whitespace, URL-safe letters, a NUL and non-ASCII.
SHORT = ["".join(chars) for n in range(6) for chars in itertools.product("A/=-\n é\0", repeat=n)]


def test_every_short_string_decodes_or_fails_as_the_standard_library_does() -> None:
    different = [s for s in SHORT if _outcome(b64.decode, s) != _outcome(_stdlib, s)]
    assert not different, different[:10]
    assert sum(_outcome(b64.decode, s)[0] == "ok" for s in SHORT) >= 40  # both refusals and answers are covered


@pytest.mark.parametrize("data", [
    "QUJD", "QUJDRA==", "QUJDRA", "QUJDRA===", "AAAA====", b"QUJD", bytearray(b"QUJDRA=="), memoryview(b"QUJD"),
    3, None, ["QUJD"], "QUJD\r\n", "ÿÿÿÿ",
])
def test_other_inputs_and_types_match(data: object) -> None:
    assert _outcome(b64.decode, data) == _outcome(_stdlib, data)


def test_audio_sized_chunks_round_trip_and_match_the_standard_library() -> None:
    rng = random.Random(7)
    for size in [0, 1, 2, 3, 640, 960, 1919, 4800, 65536]:
        pcm = rng.randbytes(size)
        text = b64.encode(pcm)
        assert text == base64.b64encode(pcm).decode("ascii")
        assert isinstance(text, str)
        assert b64.decode(text) == pcm
        if text:  # one bad character in a long chunk is found, wherever it is
            broken = text[:size // 2] + "*" + text[size // 2 + 1:]
            assert _outcome(b64.decode, broken) == _outcome(_stdlib, broken)
            assert _outcome(b64.decode, broken)[0] != "ok"
