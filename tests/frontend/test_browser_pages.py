"""Every member page loads in a real Chromium with its scripts running and no script error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import World
from tests.frontend.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_loads_every_page_with_working_scripts(world: World, page_factory: Callable[[], Any],
                                                   screenshot: Callable[..., Any]) -> None:
    page = page_factory()
    sign_in(page, "bob", "pw-bob")
    page.wait_for_url(lambda url: url.endswith("/"))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    for url, name in (("/", "dashboard"), ("/playground/", "playground"), ("/multi-agent/", "multiagent"),
                      ("/room/", "room"), ("/sessions/", "sessions")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.locator("nav[aria-label=Main] a[aria-current=page]").count() == 1, url
        screenshot(page, name)
    assert failed == [], "every script, worklet and stylesheet must load"
    assert page.js_errors == []


def test_it_explains_what_is_missing_before_connecting(world: World, page_factory: Callable[[], Any]) -> None:
    page = page_factory()
    sign_in(page, "alice", "pw-alice")
    page.wait_for_url(lambda url: url.endswith("/"))

    page.goto("/playground/")
    page.click("#connect")
    assert page.inner_text("#errors") == "Pick an agent first."
    assert page.get_attribute("#connection-state", "data-state") == "disconnected"

    page.goto("/multi-agent/")
    assert page.locator("#agent-rows > li").count() == 2, "two preset agents to start from"
    page.fill("#agent-rows > li:nth-child(2) [name=name]", "Ada")
    page.click("#start")
    assert page.inner_text("#errors") == "Give every agent a different name."
    page.click("#agent-rows > li:nth-child(1) .remove-agent")
    assert page.locator("#agent-rows > li").count() == 2
    assert "at least two agents" in page.inner_text("#errors")

    page.goto("/room/")
    page.click("#join")
    assert page.inner_text("#errors") == "A token and a server URL are needed to join."
    assert page.js_errors == []
