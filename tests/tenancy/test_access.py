from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.http import Http404
from django.test import Client

from api.actors import SESSION_ORGANIZATION_KEY
from rooms.services.dispatch import page_organization_id
from tenancy.access import actor_for_api_key, actor_for_user, get_api_key_for_actor, memberships_for_user
from tenancy.models import ApiKey, Membership, Role
from tenancy.services import membership_set, organization_create

pytestmark = pytest.mark.django_db


def test_it_gives_the_same_404_for_missing_and_foreign_keys(world):
    alice = actor_for_user(world.alice)
    assert get_api_key_for_actor(alice, world.acme_key).key_id == world.acme_key
    with pytest.raises(Http404) as foreign:
        get_api_key_for_actor(alice, world.globex_key)
    with pytest.raises(Http404) as missing:
        get_api_key_for_actor(alice, "APIdoesnotexist")
    assert str(foreign.value) == str(missing.value)


def test_it_scopes_an_api_key_actor_to_its_organization(world):
    actor = actor_for_api_key(ApiKey.objects.get(key_id=world.globex_key))
    assert actor.organization == world.globex
    with pytest.raises(Http404):
        get_api_key_for_actor(actor, world.acme_key)


def test_it_marks_members_read_only_and_owners_writable(world):
    assert actor_for_user(world.alice).can_write
    assert not actor_for_user(world.bob).can_write
    with pytest.raises(Http404):
        actor_for_user(world.charlie, "acme")


def test_it_keeps_a_users_default_organization_when_another_organization_adds_them(
        db: None, web_as: Callable[[User], Client]) -> None:
    zeta, aaa = organization_create(slug="zeta", name="Zeta"), organization_create(slug="aaa", name="Aaa")
    victim = User.objects.create_user(username="victim", password="pw-victim", is_staff=True)
    membership_set(user=victim, organization=zeta, role=Role.OWNER)
    attacker = User.objects.create_user(username="attacker", password="pw-attacker", is_staff=True)
    membership_set(user=attacker, organization=aaa, role=Role.OWNER)
    # An admin may add any existing user to their organization, and "aaa" sorts before "zeta".
    added = web_as(attacker).post("/admin/tenancy/membership/add/",
                                  {"user": victim.pk, "organization": aaa.pk, "role": Role.MEMBER})
    assert added.status_code == 302, added.content.decode()[:3000]
    assert Membership.objects.filter(user=victim, organization=aaa).exists()

    assert actor_for_user(victim).organization == zeta
    assert page_organization_id(victim) == zeta.pk, "the AgentScope pages default to the same organization"
    client = web_as(victim)
    assert '<h1 data-testid="dashboard-title">Zeta</h1>' in client.get("/").content.decode()
    assert client.get("/api/organization/").json()["slug"] == "zeta"
    # The new organization is still one switch (or one header) away.
    assert [m.organization.slug for m in memberships_for_user(victim)] == ["zeta", "aaa"]
    assert client.get("/api/organization/", HTTP_X_ORGANIZATION="aaa").json()["slug"] == "aaa"
    assert client.post("/organization/switch/", {"organization": "aaa"}).status_code == 302
    assert client.session[SESSION_ORGANIZATION_KEY] == "aaa"
    assert client.get("/api/organization/").json()["slug"] == "aaa"
