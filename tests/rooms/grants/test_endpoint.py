from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rooms.grants.verifier import verify_access_token
from tenancy.models import ApiKey
from tenancy.services import api_key_revoke
from tests.conftest import World, basic_auth
from tests.support.asgi_client import AsgiClient

URL = "/api/token"
# The API-key path reads keys from the event loop (database_sync_to_async): committed data needed.
pytestmark = pytest.mark.django_db(transaction=True)


def _fresh_ip_prefix() -> str:
    # Rate-limit windows live in the shared Redis for a minute; fresh addresses keep reruns independent.
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def _post(client: Client | AsgiClient, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


def _key_client(key: str, secret: str) -> AsgiClient:
    # Through the real ASGI application: API-key calls are answered in front of Django.
    return AsgiClient(HTTP_AUTHORIZATION=basic_auth(key, secret))


def test_it_issues_a_token_for_an_api_key_caller_with_every_field(world: World) -> None:
    response = _post(_key_client(world.acme_key, world.acme_secret), {
        "room_name": "lobby",
        "participant_identity": "caller-1",
        "participant_name": "Caller",
        "participant_metadata": "{\"x\":1}",
        "participant_attributes": {"tier": "gold"},
        "room_config": {"agents": [{"agent_name": "support-bot", "metadata": "hi"}], "empty_timeout": 60},
    })
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"server_url", "participant_token"}
    assert body["server_url"] == "ws://testserver/ws/room"
    verified = verify_access_token(body["participant_token"])
    assert verified.organization_id == world.acme.pk
    assert verified.api_key_id == world.acme_key
    assert (verified.identity, verified.name, verified.metadata) == ("caller-1", "Caller", "{\"x\":1}")
    assert verified.attributes == {"tier": "gold"}
    assert verified.room_config == {"agents": [{"agentName": "support-bot", "metadata": "hi"}], "emptyTimeout": 60}
    assert verified.grants.room_join and verified.grants.room == "lobby"
    assert "nbf" in verified.claims and "exp" in verified.claims


def test_it_accepts_camel_case_bodies(world: World) -> None:
    response = _post(_key_client(world.acme_key, world.acme_secret),
                     {"roomName": "r1", "participantIdentity": "p", "roomConfig": {"agents": [{"agentName": "a"}]}})
    assert response.status_code == 201
    verified = verify_access_token(response.json()["participant_token"])
    assert (verified.grants.room, verified.identity) == ("r1", "p")
    assert verified.room_config == {"agents": [{"agentName": "a"}]}


def test_it_generates_a_room_and_identity_when_missing(world: World) -> None:
    client = _key_client(world.acme_key, world.acme_secret)
    first = verify_access_token(_post(client, {}).json()["participant_token"])
    second = verify_access_token(_post(client, {}).json()["participant_token"])
    assert first.grants.room.startswith("room-") and first.identity.startswith("participant-")
    assert (first.grants.room, first.identity) != (second.grants.room, second.identity)


def test_it_uses_the_public_websocket_url_when_configured(world: World, settings: Any) -> None:
    settings.PUBLIC_WS_URL = "wss://voice.example.com/"
    response = _post(_key_client(world.acme_key, world.acme_secret), {})
    assert response.json()["server_url"] == "wss://voice.example.com/ws/room"


def test_it_refuses_a_wrong_secret_or_a_revoked_key(world: World) -> None:
    response = _post(_key_client(world.acme_key, "wrong"), {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    api_key_revoke(api_key=ApiKey.objects.get(key_id=world.acme_key))
    assert _post(_key_client(world.acme_key, world.acme_secret), {}).status_code == 401


def test_it_refuses_anonymous_callers(world: World) -> None:
    response = _post(Client(), {"room_name": "lobby"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_it_signs_an_outsiders_request_with_the_outsiders_own_organization(world: World) -> None:
    response = _post(_key_client(world.globex_key, world.globex_secret), {"room_name": "acme-room"})
    verified = verify_access_token(response.json()["participant_token"])
    assert verified.organization_id == world.globex.pk
    assert verified.api_key_id == world.globex_key


def test_it_lets_a_member_session_join_as_themself(world: World, web_as: Callable[[User], Client]) -> None:
    response = _post(web_as(world.bob), {"room_name": "lobby", "participant_name": "Bob B"})
    assert response.status_code == 201
    verified = verify_access_token(response.json()["participant_token"])
    assert verified.organization_id == world.acme.pk
    assert verified.api_key_id == world.acme_key
    assert (verified.identity, verified.name, verified.grants.room) == ("bob", "Bob B", "lobby")


def test_it_lets_a_member_name_their_own_identity_only(world: World, web_as: Callable[[User], Client]) -> None:
    assert _post(web_as(world.bob), {"participant_identity": "bob"}).status_code == 201
    response = _post(web_as(world.bob), {"participant_identity": "alice"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "field_not_allowed"
    assert set(response.json()["error"]["fields"]) == {"participant_identity"}


@pytest.mark.parametrize("field", ["participant_metadata", "participant_attributes", "room_config"])
def test_it_refuses_fields_the_default_policy_does_not_allow(
    world: World, web_as: Callable[[User], Client], field: str
) -> None:
    value = {"participant_metadata": "m", "participant_attributes": {"a": "b"},
             "room_config": {"agents": [{"agent_name": "x"}]}}[field]
    response = _post(web_as(world.alice), {"room_name": "lobby", field: value})
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "field_not_allowed"
    assert list(error["fields"]) == [field]


def test_it_refuses_a_signed_in_user_without_an_organization(db: None, web_as: Callable[[User], Client]) -> None:
    loner = User.objects.create_user(username="loner", password="pw")
    response = _post(web_as(loner), {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_organization"


def test_it_says_when_the_organization_has_no_key_to_sign_with(
    world: World, web_as: Callable[[User], Client]
) -> None:
    for key in ApiKey.objects.filter(organization=world.acme):
        api_key_revoke(api_key=key)
    response = _post(web_as(world.bob), {})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_api_key"


def test_it_signs_member_tokens_with_the_oldest_active_key(world: World, web_as: Callable[[User], Client]) -> None:
    from tenancy.services import api_key_create

    api_key_create(organization=world.acme, label="newer")
    verified = verify_access_token(_post(web_as(world.bob), {}).json()["participant_token"])
    assert verified.api_key_id == world.acme_key


def test_it_requires_a_csrf_token_for_session_callers(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bob)
    response = _post(client, {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    token = "k" * 32  # what a page would have set as the CSRF cookie
    client.cookies["csrftoken"] = token
    assert _post(client, {}, HTTP_X_CSRFTOKEN=token).status_code == 201


def test_it_does_not_need_csrf_for_api_key_callers(world: World) -> None:
    client = AsgiClient(HTTP_AUTHORIZATION=basic_auth(world.acme_key, world.acme_secret), HTTP_COOKIE="csrftoken=x")
    assert _post(client, {}).status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ("{not json", 400, "parse_error", None),
        ("[1, 2]", 400, "invalid", None),
        ({"room_name": 5}, 400, "invalid", "room_name"),
        ({"participant_attributes": {"a": 1}}, 400, "invalid", "participant_attributes"),
        ({"room_config": {"agents": "bot"}}, 400, "invalid", "room_config"),
        ({"room": "lobby"}, 400, "invalid", "room"),
        ({"participant_metadata": "x" * 70_000}, 413, "too_large", None),
    ],
)
def test_it_explains_bad_input(world: World, body: Any, status: int, code: str, field: str | None) -> None:
    response = _post(_key_client(world.acme_key, world.acme_secret), body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    if field:
        assert field in error["fields"]


def test_it_only_answers_post(world: World) -> None:
    response = _key_client(world.acme_key, world.acme_secret).get(URL)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_it_rate_limits_per_api_key(world: World, settings: Any) -> None:
    settings.TOKEN_RATE_LIMIT_PER_MINUTE = 3
    key_client = _key_client(world.acme_key, world.acme_secret)
    # A different IP per request, so only the key's budget can run out.
    prefix = _fresh_ip_prefix()
    codes = [_post(key_client, {}, REMOTE_ADDR=f"{prefix}.{i}").status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    response = _post(key_client, {}, REMOTE_ADDR=f"{prefix}.10")
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    other = _post(_key_client(world.globex_key, world.globex_secret), {}, REMOTE_ADDR=f"{prefix}.11")
    assert other.status_code == 201


def test_it_rate_limits_per_client_ip(world: World, settings: Any) -> None:
    settings.TOKEN_RATE_LIMIT_PER_MINUTE = 2
    clients = [_key_client(world.acme_key, world.acme_secret), _key_client(world.globex_key, world.globex_secret),
               Client()]
    ip = _fresh_ip_prefix() + ".7"
    codes = [_post(c, {}, REMOTE_ADDR=ip).status_code for c in clients]
    assert codes == [201, 201, 429]


def test_it_shares_rate_limit_windows_between_api_key_and_session_callers(
    world: World, settings: Any, web_as: Callable[[User], Client]
) -> None:
    settings.TOKEN_RATE_LIMIT_PER_MINUTE = 2
    ip = _fresh_ip_prefix() + ".9"
    assert _post(web_as(world.bob), {}, REMOTE_ADDR=ip).status_code == 201
    assert _post(_key_client(world.acme_key, world.acme_secret), {}, REMOTE_ADDR=ip).status_code == 201
    assert _post(_key_client(world.globex_key, world.globex_secret), {}, REMOTE_ADDR=ip).status_code == 429


def test_it_counts_refused_credentials_against_the_caller_address(world: World, settings: Any) -> None:
    settings.TOKEN_RATE_LIMIT_PER_MINUTE = 2
    ip = _fresh_ip_prefix() + ".5"
    guesses = [_post(_key_client(world.acme_key, f"guess-{i}"), {}, REMOTE_ADDR=ip).status_code for i in range(3)]
    assert guesses == [401, 401, 429]
    assert _post(_key_client("no-such-key", "x"), {}, REMOTE_ADDR=ip).status_code == 429


def test_it_refuses_a_malformed_basic_header(world: World) -> None:
    response = AsgiClient(HTTP_AUTHORIZATION="Basic !!!").post(URL, "{}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == 'Basic realm="api"'


def test_it_refuses_a_host_it_does_not_serve(world: World) -> None:
    # server_url is built from the Host header, so a forged one must not reach a client.
    response = _post(_key_client(world.acme_key, world.acme_secret), {}, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "disallowed_host"


def test_it_marks_grants_uncacheable(world: World) -> None:
    response = _post(_key_client(world.acme_key, world.acme_secret), {})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/json"
