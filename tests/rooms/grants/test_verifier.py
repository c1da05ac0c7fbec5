from __future__ import annotations

import hashlib
import json
import time

import jwt
import pytest

from rooms.grants.builder import mint
from rooms.grants.claims import VideoGrant
from rooms.grants.verifier import TokenRejected, verify_access_token
from tenancy.models import ApiKey
from tenancy.services import api_key_create, api_key_revoke
from tests.conftest import World
from tests.rooms.grants.helpers import b64, payload_of, signed


def _claims(world: World, **extra: object) -> dict:
    now = int(time.time())
    return {"iss": world.acme_key, "sub": "alice", "nbf": now, "exp": now + 600, **extra}


def _rejected(token: str) -> str:
    with pytest.raises(TokenRejected) as caught:
        verify_access_token(token)
    return caught.value.reason


def test_it_verifies_against_the_database_key_and_reads_the_claims(world: World) -> None:
    token = mint(
        world.acme_key, world.acme_secret, identity="alice", name="Alice", metadata="m",
        attributes={"a": "b"}, kind="agent", room_config={"agents": [{"agent_name": "bot"}]},
        video=VideoGrant(room_join=True, room="lobby", can_update_own_metadata=True),
    )
    verified = verify_access_token(token)
    assert verified.organization_id == world.acme.pk
    assert verified.api_key_id == world.acme_key
    assert (verified.identity, verified.name, verified.metadata, verified.kind) == ("alice", "Alice", "m", "agent")
    assert verified.attributes == {"a": "b"}
    assert verified.room_config == {"agents": [{"agentName": "bot"}]}
    assert verified.grants.room == "lobby" and verified.grants.room_join and verified.grants.can_update_own_metadata
    assert verified.expires_at == payload_of(token)["exp"]
    assert verified.claims["iss"] == world.acme_key


def test_it_takes_the_identity_from_jti_when_sub_is_missing(world: World) -> None:
    claims = _claims(world, jti="from-jti")
    del claims["sub"]
    assert verify_access_token(signed(None, claims, world.acme_secret)).identity == "from-jti"
    del claims["jti"]
    assert verify_access_token(signed(None, claims, world.acme_secret)).identity == ""


def test_it_ignores_unknown_claims_and_unknown_kinds(world: World) -> None:
    claims = _claims(world, iat=int(time.time()), identity="x", kind="hologram", kindDetails=["forwarded"],
                     roomConfig={"newField": 1}, video={"roomJoin": True, "futureGrant": True})
    verified = verify_access_token(signed(None, claims, world.acme_secret))
    assert verified.kind == "standard"
    assert verified.grants.room_join
    assert verified.room_config == {"newField": 1}


def test_it_accepts_clock_skew_within_the_sixty_second_leeway(world: World) -> None:
    now = int(time.time())
    assert verify_access_token(signed(None, _claims(world, exp=now - 30), world.acme_secret)).identity == "alice"
    assert verify_access_token(signed(None, _claims(world, nbf=now + 30), world.acme_secret)).identity == "alice"


def test_it_verifies_a_token_signed_by_another_organizations_key_as_that_organization(world: World) -> None:
    token = mint(world.globex_key, world.globex_secret, identity="charlie", video=VideoGrant(room_join=True))
    assert verify_access_token(token).organization_id == world.globex.pk
    forged = mint(world.acme_key, world.globex_secret, identity="charlie", video=VideoGrant(room_join=True))
    assert _rejected(forged) == "bad_signature"


def _attacks(world: World) -> dict[str, tuple[str, str]]:
    secret, now = world.acme_secret, int(time.time())
    good = signed(None, _claims(world), secret)
    head, body, sig = good.split(".")
    no_exp = _claims(world)
    del no_exp["exp"]
    tampered_body = b64(json.dumps(payload_of(good) | {"sub": "mallory"}).encode())
    return {
        "alg none": (b64(b'{"alg":"none","typ":"JWT"}') + f".{body}.", "algorithm"),
        "HS512": (signed({"alg": "HS512", "typ": "JWT"}, _claims(world), secret, hashlib.sha512), "algorithm"),
        "RS256 header with the secret as key": (signed({"alg": "RS256", "typ": "JWT"}, _claims(world), secret),
                                                "algorithm"),
        "expired beyond leeway": (signed(None, _claims(world, exp=now - 90), secret), "expired"),
        "nbf beyond leeway": (signed(None, _claims(world, nbf=now + 90), secret), "not_yet_valid"),
        "missing exp": (signed(None, no_exp, secret), "missing_exp"),
        "unknown iss": (signed(None, _claims(world, iss="APInobody"), secret), "unknown_key"),
        "tampered payload": (f"{head}.{tampered_body}.{sig}", "bad_signature"),
        "tampered signature": (f"{head}.{body}.{sig[:-4]}{'AAAA' if sig[-4:] != 'AAAA' else 'BBBB'}",
                               "bad_signature"),
        "non-JSON payload": (signed(None, b"not json at all", secret), "malformed"),
        "100 KB token": (signed(None, _claims(world, metadata="x" * 100_000), secret), "malformed"),
        "two segments": (f"{head}.{body}", "malformed"),
        "garbage": ("!!!.@@@.###", "malformed"),
    }


ATTACKS = ["alg none", "HS512", "RS256 header with the secret as key", "expired beyond leeway",
           "nbf beyond leeway", "missing exp", "unknown iss", "tampered payload", "tampered signature",
           "non-JSON payload", "100 KB token", "two segments", "garbage"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_it_rejects_each_attack_with_its_reason(world: World, attack: str) -> None:
    token, reason = _attacks(world)[attack]
    assert _rejected(token) == reason


def test_it_rejects_tokens_of_a_revoked_key(world: World) -> None:
    issued = api_key_create(organization=world.acme, label="soon revoked")
    token = mint(issued.api_key.key_id, issued.secret, identity="a", video=VideoGrant(room_join=True))
    api_key_revoke(api_key=issued.api_key)
    assert _rejected(token) == "revoked_key"


def test_it_forgets_a_cached_key_when_it_is_revoked_through_the_orm(world: World) -> None:
    key = ApiKey.objects.get(key_id=world.acme_key)
    token = mint(world.acme_key, world.acme_secret, identity="a", video=VideoGrant(room_join=True))
    assert verify_access_token(token).identity == "a"
    from django.utils import timezone

    key.revoked = timezone.now()
    key.save()
    assert _rejected(token) == "revoked_key"


def test_it_rejects_what_pyjwt_itself_would_refuse(world: World) -> None:
    # Cross-check against pyjwt with LiveKit's options: both must refuse the expired token.
    token = signed(None, _claims(world, exp=int(time.time()) - 90), world.acme_secret)
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, world.acme_secret, algorithms=["HS256"], leeway=60, options={"require": ["exp"]})
    assert _rejected(token) == "expired"
