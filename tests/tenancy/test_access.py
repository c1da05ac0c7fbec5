from __future__ import annotations

import pytest
from django.http import Http404

from tenancy.access import actor_for_api_key, actor_for_user, get_api_key_for_actor
from tenancy.models import ApiKey

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
