"""The web app's server side without a browser: sign-in, pages, the organization switcher, assets."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from api.actors import SESSION_ORGANIZATION_KEY
from tenancy.models import Role
from tenancy.services import membership_set
from tests.conftest import World

MEMBER_PAGES = ["/", "/playground/", "/multi-agent/", "/room/", "/sessions/"]


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_it_signs_in_with_a_password_and_lands_on_the_dashboard(world: World) -> None:
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": "pw-alice"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert b"Acme" in response.content
    assert response.wsgi_request.user.username == "alice"


def test_it_rejects_a_wrong_password_with_a_message(world: World) -> None:
    response = Client().post("/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b'data-testid="login-error"' in response.content
    assert not response.wsgi_request.user.is_authenticated


def test_it_signs_out_only_by_post(world: World, web_as: Callable[..., Client]) -> None:
    client = web_as(world.alice)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_it_shows_each_member_page_in_their_organization(world: World, web_as: Callable[..., Client],
                                                         url: str) -> None:
    for user, org_name in ((world.alice, b"Acme"), (world.bob, b"Acme"), (world.charlie, b"Globex")):
        response = web_as(user).get(url)
        assert response.status_code == 200, (user, url)
        assert org_name in response.content
        other = b"Globex" if org_name == b"Acme" else b"Acme"
        assert other not in response.content, "another tenant's name leaked into the page"


def test_it_tells_a_user_without_organization_so(world: World, web_as: Callable[..., Client]) -> None:
    loner = User.objects.create_user(username="loner", password="pw-loner")
    response = web_as(loner).get("/")
    assert response.status_code == 403
    assert b'data-testid="no-organization"' in response.content


def test_it_switches_organization_for_a_member_of_both(world: World, web_as: Callable[..., Client]) -> None:
    membership_set(user=world.alice, organization=world.globex, role=Role.MEMBER)
    client = web_as(world.alice)
    page = client.get("/").content.decode()
    assert 'data-testid="org-switch"' in page and "Globex" in page
    response = client.post("/organization/switch/", {"organization": "globex", "next": "/playground/"})
    assert response.status_code == 302 and response["Location"] == "/playground/"
    assert client.session[SESSION_ORGANIZATION_KEY] == "globex"
    dashboard = client.get("/").content.decode()
    assert '<h1 data-testid="dashboard-title">Globex</h1>' in dashboard
    # The REST API acts for the same organization as the pages.
    assert client.get("/api/organization/").json()["slug"] == "globex"


def test_it_refuses_to_switch_an_outsider_into_another_organization(world: World,
                                                                     web_as: Callable[..., Client]) -> None:
    client = web_as(world.charlie)
    response = client.post("/organization/switch/", {"organization": "acme"})
    assert response.status_code == 404
    missing = client.post("/organization/switch/", {"organization": "no-such-org"})
    assert missing.status_code == 404, "a foreign organization and a missing one must look the same"
    assert SESSION_ORGANIZATION_KEY not in client.session
    assert b"Globex" in client.get("/").content


def test_it_lets_a_read_only_member_switch_between_their_organizations(world: World,
                                                                       web_as: Callable[..., Client]) -> None:
    membership_set(user=world.bob, organization=world.globex, role=Role.MEMBER)
    client = web_as(world.bob)
    assert client.post("/organization/switch/", {"organization": "globex"}).status_code == 302
    assert client.session[SESSION_ORGANIZATION_KEY] == "globex"


def test_it_never_redirects_a_switch_off_site(world: World, web_as: Callable[..., Client]) -> None:
    client = web_as(world.alice)
    response = client.post("/organization/switch/", {"organization": "acme", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_refuses_a_switch_without_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    assert client.post("/organization/switch/", {"organization": "acme"}).status_code == 403


def test_it_falls_back_when_removed_from_the_chosen_organization(world: World,
                                                                  web_as: Callable[..., Client]) -> None:
    membership = membership_set(user=world.alice, organization=world.globex, role=Role.MEMBER)
    client = web_as(world.alice)
    client.post("/organization/switch/", {"organization": "globex"})
    membership.delete()
    response = client.get("/")
    assert response.status_code == 200
    assert b'<h1 data-testid="dashboard-title">Acme</h1>' in response.content


@pytest.mark.parametrize("asset", ["frontend/js/realtime-client.js", "frontend/js/audio/capture-worklet.js",
                                   "frontend/css/app.css"])
def test_it_serves_its_assets_itself(db: None, asset: str) -> None:
    response = Client().get(f"/static/{asset}")
    assert response.status_code == 200
    if asset.endswith(".js"):
        assert response["Content-Type"].startswith("text/javascript")


def test_it_serves_nothing_outside_the_static_folders(db: None) -> None:
    assert Client().get("/static/../../platform/config/settings.py").status_code == 404
    assert Client().get("/static/frontend/../../urls.py").status_code == 404
