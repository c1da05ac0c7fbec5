"""``json_frames.loads`` answers exactly as ``json.loads`` does, for frames as they come and for
everything that is not the usual frame."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agents.realtime import json_frames

CASES: list[str | bytes] = [
    '{"type":"client_audio_append","audio":"AAAA","format":{"type":"audio/pcm","rate":16000}}',
    b'{"type":"response.output_audio.delta","delta":"AAAA","item_id":"i1"}',
    '{"text":"caf\\u00e9 \u00e9\u00e8 \U0001f600"}', '{"text":"caf\u00e9"}'.encode(), '[1, 2, {"a": null}]',
    '"just a string"', b'"bytes string"', "42", b"true", "null",
    '  {"a": 1}', '{"a": 1}\n', b'\t{"a": 1}  ', ' ', "", b"",
    '{"a": 1} {"b": 2}', '{"a": 1}x', '{"a": ', '{"a": 1,}', "{'a': 1}", "NaN", '{"a": NaN}',
    '{"a": 1}'.encode("utf-16"), '{"a": 1}'.encode("utf-16-le"), '{"a": 1}'.encode("utf-32"),
    '{"a": 1}'.encode("utf-8-sig"), b'{"a": "\xff"}', b'{"a": "\xc3"}', '\ufeff{"a": 1}',
]


def outcome(parse: Any, raw: str | bytes) -> tuple[str, Any]:
    try:
        return "value", parse(raw)
    except Exception as exc:  # the same exception, with the same message
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("raw", CASES, ids=range(len(CASES)))
def test_the_same_answer_as_json_loads(raw: str | bytes) -> None:
    expected = outcome(json.loads, raw)
    got = outcome(json_frames.loads, raw)
    assert got == expected
    if expected[0] == "value":
        assert json.dumps(got[1]) == json.dumps(expected[1])  # the same types too (1 is not 1.0 or True)
