from __future__ import annotations

import base64
import json

import pytest

from rooms.grants.builder import DEFAULT_TTL_SECONDS, mint, token_claims
from rooms.grants.claims import ClaimError, VideoGrant


def _parts(token: str) -> tuple[dict, dict]:
    header, payload, _ = token.split(".")
    decode = lambda p: json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))  # noqa: E731
    return decode(header), decode(payload)


def test_it_writes_livekits_exact_claim_layout() -> None:
    token = mint(
        "APIkey1",
        "s" * 32,
        identity="alice",
        name="Alice",
        metadata='{"plan":"pro"}',
        attributes={"team": "blue"},
        kind="standard",
        room_config={"empty_timeout": 300, "agents": [{"agent_name": "support-bot", "metadata": "m"}]},
        video=VideoGrant(room_join=True, room="lobby", can_publish=False, can_publish_sources=("microphone",)),
        ttl_seconds=600,
        now=1_000_000,
    )
    header, claims = _parts(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert claims == {
        "iss": "APIkey1",
        "sub": "alice",
        "nbf": 1_000_000,
        "exp": 1_000_600,
        "name": "Alice",
        "kind": "standard",
        "metadata": '{"plan":"pro"}',
        "attributes": {"team": "blue"},
        "roomConfig": {"emptyTimeout": 300, "agents": [{"agentName": "support-bot", "metadata": "m"}]},
        "video": {"roomJoin": True, "room": "lobby", "canPublish": False, "canPublishSources": ["microphone"]},
    }


def test_it_always_sets_nbf_and_exp_with_a_six_hour_default() -> None:
    claims = token_claims("K", now=50)
    assert claims == {"iss": "K", "nbf": 50, "exp": 50 + 6 * 3600}
    assert DEFAULT_TTL_SECONDS == 6 * 3600


def test_it_writes_every_video_key_in_camel_case_only_when_set() -> None:
    every = VideoGrant(
        room_create=True, room_list=True, room_record=True, room_admin=True, room_join=True, room="r",
        can_publish=True, can_subscribe=False, can_publish_data=False, can_publish_sources=("camera",),
        can_update_own_metadata=True, ingress_admin=True, hidden=True, recorder=True, agent=True,
        destination_room="d",
    )
    assert set(every.to_claim()) == {
        "roomCreate", "roomList", "roomRecord", "roomAdmin", "roomJoin", "room", "canPublish", "canSubscribe",
        "canPublishData", "canPublishSources", "canUpdateOwnMetadata", "ingressAdmin", "hidden", "recorder",
        "agent", "destinationRoom",
    }
    assert VideoGrant().to_claim() == {}
    assert VideoGrant(hidden=False).to_claim() == {"hidden": False}


def test_it_keeps_user_map_keys_when_camelizing_room_config() -> None:
    claims = token_claims(
        "K",
        room_config={"agents": [{"agent_name": "a", "attributes": {"snake_key": "v"}}], "tags": {"my_tag": "x"}},
    )
    assert claims["roomConfig"] == {"agents": [{"agentName": "a", "attributes": {"snake_key": "v"}}],
                                    "tags": {"my_tag": "x"}}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"attributes": {"a": 1}}, "participant_attributes"),
        ({"room_config": {"agents": "bot"}}, "room_config"),
        ({"room_config": ["x"]}, "room_config"),
        ({"ttl_seconds": 0}, "ttl_seconds"),
        ({"video": None, "room_config": {"agents": [{"agent_name": 3}]}}, "room_config"),
    ],
)
def test_it_refuses_values_that_cannot_go_into_a_token(options: dict, field: str) -> None:
    with pytest.raises(ClaimError) as caught:
        mint("K", "secret", **options)
    assert caught.value.field == field


def test_it_refuses_unknown_publish_sources() -> None:
    with pytest.raises(ClaimError):
        VideoGrant(can_publish_sources=("webcam",))
