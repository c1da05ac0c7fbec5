"""The client event parser: AgentScope's shapes accepted, every kind of bad input named by a code."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from agents.realtime.events import (
    MAX_AUDIO_CHUNK_BYTES,
    MAX_IMAGE_BYTES,
    MAX_TEXT_CHARS,
    AgentIds,
    ClientAudioAppend,
    ClientEvent,
    ClientImageAppend,
    ClientSessionCreate,
    ClientToolResult,
    ProtocolError,
    agent_response_audio_delta,
    agent_state_changed,
    encode_event,
    parse_client_event,
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_it_accepts_the_v1_page_audio_format_and_the_tutorial_spelling() -> None:
    pcm = bytes(range(16)) * 4
    page = parse_client_event(json.dumps({"type": "client_audio_append", "session_id": "session1",
                                          "audio": b64(pcm), "format": {"rate": 16000, "type": "audio/pcm"}}))
    tutorial = parse_client_event({"type": "client_audio_append", "audio": b64(pcm),
                                   "format": {"encoding": "pcm16", "sample_rate": 48000}, "extra": 1})
    assert isinstance(page, ClientAudioAppend) and page.audio == pcm and page.rate == 16000
    assert isinstance(tutorial, ClientAudioAppend) and tutorial.rate == 48000 and tutorial.session_id is None


def test_it_accepts_the_image_under_data_as_the_v1_page_sends_it() -> None:
    jpeg = b64(b"\xff\xd8\xff\xe0fakejpeg")
    event = parse_client_event({"type": "client_image_append", "session_id": "session1", "data": jpeg,
                                "format": {"type": "image/jpeg", "mime_type": "image/jpeg"}})
    assert isinstance(event, ClientImageAppend) and event.image == jpeg and event.mime_type == "image/jpeg"
    assert parse_client_event({"type": "client_image_append", "image": jpeg}).image == jpeg  # type: ignore[attr-defined]


def test_it_reads_tool_results_as_text_or_blocks() -> None:
    blocks = parse_client_event({"type": "client_tool_result", "id": "c1", "name": "lookup",
                                 "output": [{"type": "text", "text": "sunny"}, {"type": "text", "text": "21C"}]})
    assert isinstance(blocks, ClientToolResult) and blocks.output_text() == "sunny\n21C"
    assert parse_client_event({"type": "client_session_create", "config": {"agent_name": "Friday"}}).config == {  # type: ignore[attr-defined]
        "agent_name": "Friday"}


@pytest.mark.parametrize(("raw", "code"), [
    ("{not json", "invalid_json"),
    (b"\xff\xfe", "invalid_json"),
    ("[1, 2]", "invalid_json"),
    ('{"session_id": "x"}', "missing_field"),
    ('{"type": "client_dance"}', "unknown_type"),
    ('{"type": "client_text_append"}', "missing_field"),
    ('{"type": "client_text_append", "text": 5}', "invalid_field"),
    ('{"type": "client_audio_append", "audio": "AAAAAA=="}', "missing_field"),
    ('{"type": "client_audio_append", "audio": "AAAAAA==", "format": {"type": "audio/pcm", "rate": 96000}}',
     "invalid_field"),
    ('{"type": "client_audio_append", "audio": "AAAAAA==", "format": {"type": "audio/opus", "rate": 16000}}',
     "invalid_field"),
    ('{"type": "client_audio_append", "audio": "@@@not base64", "format": {"type": "audio/pcm", "rate": 16000}}',
     "invalid_base64"),
    ('{"type": "client_audio_append", "audio": "AAAA", "format": {"type": "audio/pcm", "rate": 16000}}',
     "odd_byte_count"),
    ('{"type": "client_image_append", "image": "%%%"}', "invalid_base64"),
    ('{"type": "client_image_append", "image": "AAAA", "format": {"type": "text/html"}}', "invalid_field"),
    ('{"type": "client_session_create"}', "missing_field"),
])
def test_it_names_bad_input_with_a_code(raw: str | bytes, code: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client_event(raw)
    assert caught.value.code == code
    assert caught.value.message


def test_it_rejects_oversized_payloads_by_kind() -> None:
    fmt = {"type": "audio/pcm", "rate": 16000}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"type": "client_audio_append", "audio": b64(bytes(MAX_AUDIO_CHUNK_BYTES + 2)), "format": fmt},
         "audio_too_large"),
        ({"type": "client_text_append", "text": "x" * (MAX_TEXT_CHARS + 1)}, "text_too_large"),
        ({"type": "client_image_append", "image": b64(bytes(MAX_IMAGE_BYTES + 3))}, "image_too_large"),
    ]
    for raw, code in cases:
        with pytest.raises(ProtocolError) as caught:
            parse_client_event(raw)
        assert caught.value.code == code
    at_limit = parse_client_event({"type": "client_audio_append", "audio": b64(bytes(MAX_AUDIO_CHUNK_BYTES)),
                                   "format": fmt})
    assert isinstance(at_limit, ClientAudioAppend) and len(at_limit.audio) == MAX_AUDIO_CHUNK_BYTES


def test_it_parses_extra_event_types_given_by_the_caller() -> None:
    class RoomMute(ClientEvent):
        participant: str

    event = parse_client_event({"type": "room_mute", "participant": "bob"}, extra={"room_mute": RoomMute})
    assert isinstance(event, RoomMute) and event.participant == "bob"
    assert isinstance(parse_client_event({"type": "client_session_create", "config": {}},
                                         extra={"room_mute": RoomMute}), ClientSessionCreate)
    with pytest.raises(ProtocolError) as caught:
        parse_client_event({"type": "room_mute"}, extra={"room_mute": RoomMute})
    assert caught.value.code == "missing_field"


@pytest.mark.parametrize("name", ["Echo", 'Say "hi" \\ back', "Zoë 🎙", "</script>"])
def test_encoded_events_read_back_as_the_event(name: str) -> None:
    ids = AgentIds("agent-1", name)
    events = [agent_response_audio_delta(ids, f"resp_{n}", f"item_{n}", bytes(range(n, n + 40)), 24000)
              for n in range(3)]  # one head per response: the cache must not mix them up
    events.append(agent_state_changed(ids, "listening", "speaking"))
    for event in events:
        text = encode_event(event)
        assert json.loads(text) == event
        assert text == json.dumps(json.loads(text), separators=(",", ":"))  # compact, one line
