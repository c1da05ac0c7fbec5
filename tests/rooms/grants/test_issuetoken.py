from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from rooms.grants.verifier import verify_access_token
from tests.conftest import World
from tests.rooms.grants.helpers import payload_of


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    call_command("issuetoken", *args)
    return capsys.readouterr().out.strip()


def test_it_prints_a_token_signed_with_the_stored_secret(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    token = _run(capsys, "--api-key", world.acme_key, "--room", "lobby", "--identity", "ops", "--name", "Ops",
                 "--join", "--list", "--create", "--metadata", "m", "--attribute", "a=1", "--attribute", "b=x=y")
    verified = verify_access_token(token)
    assert (verified.identity, verified.name, verified.metadata) == ("ops", "Ops", "m")
    assert verified.attributes == {"a": "1", "b": "x=y"}
    grants = verified.grants
    assert grants.room_join and grants.room_list and grants.room_create and not grants.room_admin
    assert payload_of(token)["exp"] - payload_of(token)["nbf"] == 6 * 3600


def test_it_signs_with_a_given_secret_without_the_database(capsys: pytest.CaptureFixture[str]) -> None:
    import jwt

    token = _run(capsys, "--api-key", "APIoffline", "--api-secret", "offline-secret-long-enough-for-hs256-xx", "--list", "--valid-for", "1h30m")
    claims = jwt.decode(token, "offline-secret-long-enough-for-hs256-xx", algorithms=["HS256"], issuer="APIoffline")
    assert claims["video"] == {"roomList": True}
    assert claims["exp"] - claims["nbf"] == 5400


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--room", "r", "--identity", "i"], "at least one permission"),
        (["--join", "--identity", "i"], "need --room"),
        (["--join", "--room", "r"], "needs --identity"),
        (["--list", "--valid-for", "soon"], "--valid-for"),
        (["--list", "--attribute", "novalue"], "key=value"),
    ],
)
def test_it_explains_wrong_arguments(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("issuetoken", "--api-key", world.acme_key, *args)


def test_it_refuses_unknown_keys(db: None) -> None:
    with pytest.raises(CommandError, match="No API key"):
        call_command("issuetoken", "--api-key", "APInope", "--list")
