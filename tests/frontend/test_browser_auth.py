"""Sign in, organization switch and sign out in a real Chromium against the real platform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tenancy.models import Role
from tenancy.services import membership_set
from tests.conftest import World
from tests.frontend.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_in_switches_organization_and_signs_out(world: World, page_factory: Callable[[], Any],
                                                         screenshot: Callable[..., Any]) -> None:
    membership_set(user=world.alice, organization=world.globex, role=Role.MEMBER)
    page = page_factory()

    page.goto("/playground/")
    assert page.url.endswith("/login/?next=/playground/")
    screenshot(page, "login")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "pw-alice")
    page.click("button[type=submit]")
    page.wait_for_url("**/playground/")
    assert page.inner_text("[data-testid=signed-in-user]").startswith("alice")
    assert page.input_value("[data-testid=org-switch]") == "acme"
    screenshot(page, "playground")

    page.goto("/")
    assert page.inner_text("[data-testid=dashboard-title]") == "Acme"
    screenshot(page, "dashboard-acme")
    page.select_option("[data-testid=org-switch]", "globex")
    page.click(".org-switch button[type=submit]")
    page.wait_for_selector("text=Now working in Globex.")
    assert page.inner_text("[data-testid=dashboard-title]") == "Globex"
    # The REST API the page scripts call acts for the organization the switcher chose.
    assert page.evaluate("fetch('/api/organization/').then(r => r.json()).then(d => d.slug)") == "globex"
    screenshot(page, "dashboard-globex")

    page.click("[data-testid=sign-out]")
    page.wait_for_url("**/login/")
    page.goto("/")
    assert "/login/" in page.url, "signed out, the dashboard must ask to sign in again"
    assert page.js_errors == []


def test_it_shows_a_wrong_password_and_a_single_organization_without_switcher(
        world: World, page_factory: Callable[[], Any], screenshot: Callable[..., Any]) -> None:
    page = page_factory()
    sign_in(page, "charlie", "wrong")
    assert page.is_visible("[data-testid=login-error]")
    screenshot(page, "login-error")
    sign_in(page, "charlie", "pw-charlie")
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.inner_text("[data-testid=org-name]") == "Globex"
    assert page.locator("[data-testid=org-switch]").count() == 0
    assert page.js_errors == []
