"""Admin isolation: superuser sees all, owners edit their organization, members read, outsiders see nothing."""

from __future__ import annotations

import re

import pytest

from tenancy.models import ApiKey

pytestmark = pytest.mark.django_db


def test_it_lists_only_the_users_own_api_keys(world, web_as):
    page = web_as(world.alice).get("/admin/tenancy/apikey/").content.decode()
    assert world.acme_key in page
    assert world.globex_key not in page


def test_it_lets_an_owner_open_and_change_their_key(world, web_as):
    key = ApiKey.objects.get(key_id=world.acme_key)
    client = web_as(world.alice)
    assert client.get(f"/admin/tenancy/apikey/{key.pk}/change/").status_code == 200
    r = client.post(f"/admin/tenancy/apikey/{key.pk}/change/", {"label": "renamed"})
    assert r.status_code == 302
    key.refresh_from_db()
    assert key.label == "renamed"


def test_it_never_shows_a_secret_on_the_change_page(world, web_as):
    key = ApiKey.objects.get(key_id=world.acme_key)
    page = web_as(world.alice).get(f"/admin/tenancy/apikey/{key.pk}/change/").content.decode()
    assert world.acme_secret not in page


def test_it_shows_a_new_secret_exactly_once(world, web_as):
    client = web_as(world.alice)
    r = client.post("/admin/tenancy/apikey/add/", {"organization": world.acme.pk, "label": "new"}, follow=True)
    assert r.status_code == 200
    shown = re.search(r"Secret: (\w+)", r.content.decode())
    assert shown, "the secret must be shown once after creation"
    new = ApiKey.objects.get(label="new")
    assert new.secret == shown.group(1)
    assert shown.group(1) not in client.get(f"/admin/tenancy/apikey/{new.pk}/change/").content.decode()


def test_it_gives_a_member_read_only_access(world, web_as):
    key = ApiKey.objects.get(key_id=world.acme_key)
    client = web_as(world.bob)
    assert client.get(f"/admin/tenancy/apikey/{key.pk}/change/").status_code == 200
    client.post(f"/admin/tenancy/apikey/{key.pk}/change/", {"label": "bob was here"})
    key.refresh_from_db()
    assert key.label != "bob was here"
    assert client.post("/admin/tenancy/apikey/add/", {"organization": world.acme.pk, "label": "x"}).status_code == 403


def test_it_hides_another_organizations_key_from_an_outsider(world, web_as):
    key = ApiKey.objects.get(key_id=world.acme_key)
    client = web_as(world.charlie)
    r = client.get(f"/admin/tenancy/apikey/{key.pk}/change/")
    assert r.status_code == 302  # Django admin redirects "not found or not yours" to the index
    assert client.post(f"/admin/tenancy/apikey/{key.pk}/change/", {"label": "pwned"}).status_code == 302
    key.refresh_from_db()
    assert key.label != "pwned"


def test_it_does_not_offer_an_outsider_another_organization(world, web_as):
    page = web_as(world.charlie).get("/admin/tenancy/apikey/add/").content.decode()
    assert "Globex" in page
    assert "Acme" not in page


def test_it_shows_a_superuser_everything(world, web_as, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    page = web_as(root).get("/admin/tenancy/apikey/").content.decode()
    assert world.acme_key in page and world.globex_key in page


def test_it_keeps_a_new_secret_out_of_cookies_and_shows_it_on_the_next_page_only(world, web_as):
    client = web_as(world.alice)
    r = client.post("/admin/tenancy/apikey/add/", {"organization": world.acme.pk, "label": "cookie check"})
    assert r.status_code == 302
    new = ApiKey.objects.get(label="cookie check")
    assert "messages" not in r.cookies, "messages must live in the database-backed session, not a cookie"
    assert not [name for name, morsel in client.cookies.items() if new.secret in morsel.value]
    assert new.secret in client.get(r["Location"]).content.decode()
    assert new.secret not in client.get(r["Location"]).content.decode()
