from __future__ import annotations

import pytest
from django.utils import timezone

from tenancy.models import ApiKey, Membership

pytestmark = pytest.mark.django_db


def test_it_authenticates_with_api_key_basic_auth(world, api_as):
    r = api_as(key=world.acme_key, secret=world.acme_secret).get("/api/organization/")
    assert r.status_code == 200
    assert r.json() == {"slug": "acme", "name": "Acme", "role": "owner", "actor": world.acme_key}


def test_it_rejects_a_wrong_secret_with_a_json_error(world, api_as):
    r = api_as(key=world.acme_key, secret="nope").get("/api/organization/")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "authentication_failed"


def test_it_rejects_a_revoked_key(world, api_as):
    ApiKey.objects.filter(key_id=world.acme_key).update(revoked=timezone.now())
    r = api_as(key=world.acme_key, secret=world.acme_secret).get("/api/organization/")
    assert r.status_code == 401


def test_it_requires_authentication(client):
    r = client.get("/api/organization/")
    assert r.status_code in (401, 403)
    assert r.json()["error"]["code"] in ("not_authenticated", "permission_denied")


def test_it_resolves_a_member_session_to_their_organization(world, api_as):
    assert api_as(world.alice).get("/api/organization/").json()["role"] == "owner"
    assert api_as(world.bob).get("/api/organization/").json() == {
        "slug": "acme", "name": "Acme", "role": "member", "actor": "bob"}
    assert api_as(world.charlie).get("/api/organization/").json()["slug"] == "globex"


def test_it_lets_a_member_of_two_organizations_pick_one_by_header(world, api_as):
    Membership.objects.create(user=world.alice, organization=world.globex, role="member")
    client = api_as(world.alice)
    assert client.get("/api/organization/", HTTP_X_ORGANIZATION="globex").json()["slug"] == "globex"
    assert client.get("/api/organization/", HTTP_X_ORGANIZATION="acme").json()["slug"] == "acme"


def test_it_refuses_a_user_without_organization(api_as, django_user_model):
    loner = django_user_model.objects.create_user("loner", password="x")
    r = api_as(loner).get("/api/organization/")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "permission_denied"
