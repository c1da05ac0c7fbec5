"""Compatibility both ways with LiveKit's own server SDK (livekit-api)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from livekit import api as lk
from livekit.protocol.agent_dispatch import RoomAgentDispatch
from livekit.protocol.room import RoomConfiguration

from rooms.grants.verifier import TokenRejected, verify_access_token
from tests.conftest import World, basic_auth
from tests.support.asgi_client import AsgiClient


@pytest.mark.django_db(transaction=True)
def test_it_issues_endpoint_tokens_that_livekits_verifier_accepts(world: World) -> None:
    response = AsgiClient(HTTP_AUTHORIZATION=basic_auth(world.acme_key, world.acme_secret)).post(
        "/api/token",
        data=json.dumps({
            "room_name": "support", "participant_identity": "u1", "participant_name": "User One",
            "participant_metadata": "meta", "participant_attributes": {"lang": "en"},
            "room_config": {"max_participants": 4, "agents": [{"agent_name": "support-bot", "metadata": "{}"}]},
        }),
        content_type="application/json",
    )
    claims = lk.TokenVerifier(world.acme_key, world.acme_secret).verify(response.json()["participant_token"])
    assert (claims.identity, claims.name, claims.metadata) == ("u1", "User One", "meta")
    assert claims.attributes == {"lang": "en"}
    assert claims.video is not None
    assert (claims.video.room, claims.video.room_join) == ("support", True)
    assert claims.video.can_publish and claims.video.can_subscribe and claims.video.can_publish_data
    assert claims.room_config is not None
    assert claims.room_config.max_participants == 4
    assert [(a.agent_name, a.metadata) for a in claims.room_config.agents] == [("support-bot", "{}")]


def test_it_issues_cli_tokens_that_livekits_verifier_accepts(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("issuetoken", "--api-key", world.acme_key, "--room", "r", "--identity", "cli",
                 "--join", "--admin", "--hidden", "--no-publish", "--valid-for", "24h")
    token = capsys.readouterr().out.strip()
    claims = lk.TokenVerifier(world.acme_key, world.acme_secret).verify(token)
    assert claims.identity == "cli"
    assert claims.video is not None
    assert (claims.video.room_join, claims.video.room_admin, claims.video.hidden) == (True, True, True)
    assert claims.video.can_publish is False
    ours = verify_access_token(token).grants
    assert (ours.room_join, ours.room_admin, ours.hidden, ours.can_publish()) == (True, True, True, False)
    assert not ours.can_publish_data  # follows canPublish, as in LiveKit


def test_it_accepts_livekit_sdk_tokens_with_the_same_meaning(world: World) -> None:
    token = (
        lk.AccessToken(world.acme_key, world.acme_secret)
        .with_identity("sdk-user")
        .with_name("SDK User")
        .with_metadata('{"k":1}')
        .with_attributes({"role": "caller"})
        .with_kind("agent")
        .with_ttl(timedelta(minutes=10))
        .with_grants(lk.VideoGrants(room_join=True, room="sales", can_publish_sources=["microphone"],
                                    can_update_own_metadata=True, can_publish_data=False))
        .with_room_config(RoomConfiguration(
            empty_timeout=120, agents=[RoomAgentDispatch(agent_name="closer", metadata="m")]))
        .to_jwt()
    )
    verified = verify_access_token(token)
    assert verified.organization_id == world.acme.pk
    assert (verified.identity, verified.name, verified.metadata, verified.kind) == (
        "sdk-user", "SDK User", '{"k":1}', "agent")
    assert verified.attributes == {"role": "caller"}
    assert verified.room_config["agents"] == [{"agentName": "closer", "metadata": "m"}]
    assert verified.room_config["emptyTimeout"] == 120
    grants = verified.grants
    assert grants.room_join and grants.room == "sales" and grants.can_update_own_metadata
    assert grants.can_publish("microphone") and not grants.can_publish("camera")
    assert not grants.can_publish_data and grants.can_subscribe
    assert verified.expires_at - verified.claims["nbf"] == 600


def test_it_accepts_a_livekit_worker_registration_token(world: World) -> None:
    token = lk.AccessToken(world.acme_key, world.acme_secret).with_grants(lk.VideoGrants(agent=True)).to_jwt()
    verified = verify_access_token(token)
    assert verified.identity == ""
    assert verified.grants.agent and not verified.grants.room_join


def test_it_agrees_with_livekit_on_a_token_signed_by_the_wrong_secret(world: World) -> None:
    token = lk.AccessToken(world.acme_key, world.globex_secret).with_identity("x").to_jwt()
    with pytest.raises(TokenRejected) as caught:
        verify_access_token(token)
    assert caught.value.reason == "bad_signature"
