"""End to end in Chromium against the real platform (daphne, PostgreSQL, Redis, a Celery worker) with
the offline ``local`` model: the playground by voice, text, barge-in and a client tool; a two-agent
conversation; and the saved transcripts on the session page."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from agents.models import Agent
from agents.services.agents import agent_create
from agents.services.tools import tool_create
from tests.conftest import World
from tests.frontend.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENT_BUBBLES = "#transcript .bubble.agent"


def _helper(world: World) -> Agent:
    timezone_tool = tool_create(organization=world.acme, name="browser_timezone", kind="client",
                                description="The browser's IANA time zone.",
                                parameters={"type": "object", "properties": {}})
    return agent_create(organization=world.acme, name="Helper", slug="helper", provider="local", is_default=True,
                        tools=[timezone_tool])


def _wait_badge(page: Any, badge: str, state: str, timeout: float = 15_000) -> None:
    page.wait_for_selector(f"#{badge}[data-state='{state}']", timeout=timeout)


def _say(page: Any, text: str) -> None:
    page.fill("#text-input", text)
    page.click("#text-send")


def test_it_talks_to_the_default_agent_by_voice_text_and_client_tool(
        world: World, celery_worker: subprocess.Popen[bytes], page_factory: Callable[[], Any],
        screenshot: Callable[..., Any]) -> None:
    _helper(world)
    page = page_factory()
    sign_in(page, "alice", "pw-alice")
    page.wait_for_url("**/")
    page.goto("/playground/")
    assert page.input_value("#agent") == "helper", "the organization's default agent is preselected"
    page.click("#connect")
    _wait_badge(page, "connection-state", "connected")

    # Voice: Chromium's fake microphone beeps; the local model's VAD hears a turn and answers it.
    _wait_badge(page, "input-state", "speaking")
    _wait_badge(page, "input-state", "heard")
    page.wait_for_selector(f"{AGENT_BUBBLES} >> text=Local model heard", timeout=15_000)
    assert "Helper" in page.inner_text(f"{AGENT_BUBBLES} .speaker >> nth=0")
    page.click("#mute")  # the rest is typed; an open mic would keep interrupting
    assert page.get_attribute("#mute", "aria-pressed") == "true"

    # Text: the reply's transcript arrives and its audio goes through the playback worklet.
    _say(page, "hello there")
    page.wait_for_selector(f'{AGENT_BUBBLES} >> text=Local model heard: "hello there"', timeout=15_000)
    _wait_badge(page, "playback-state", "playing")
    screenshot(page, "playground-reply")

    # Barge-in: typing while the agent is audible flushes playback at once.
    _say(page, "tell me a long story about the sea and the ships and the harbour lights at night")
    _wait_badge(page, "playback-state", "playing")
    # The flush can be brief: the reply to "stop" may start playing a few ms later, too soon for
    # selector polling to see. Record every state change instead.
    page.evaluate("""() => { const badge = document.querySelector('#playback-state');
      window.playbackStates = [];
      new MutationObserver(() => window.playbackStates.push(badge.dataset.state))
        .observe(badge, {attributes: true, attributeFilter: ['data-state']}); }""")
    _say(page, "stop")
    page.wait_for_function("window.playbackStates.includes('idle')", timeout=2_000)
    page.wait_for_selector(f'{AGENT_BUBBLES} >> text=Local model heard: "stop"', timeout=15_000)

    # A client tool: the page answers browser_timezone itself and the model speaks the result.
    _say(page, "use tool browser_timezone {}")
    result = page.wait_for_selector("#transcript .bubble.tool >> text=time_zone", timeout=15_000)
    zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    assert zone in result.inner_text()
    screenshot(page, "playground-tool")
    assert page.inner_text("#errors") == "", "no error was shown"
    assert page.js_errors == []

    page.click("#disconnect")
    _wait_badge(page, "connection-state", "closed")

    # The session page shows the transcript the Celery worker saved.
    page.goto("/sessions/")
    page.click("[data-testid=sessions] tbody tr >> nth=0 >> a")
    deadline = time.monotonic() + 20
    while "hello there" not in (page.text_content("main") or "") and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    saved = page.inner_text("[data-testid=saved-transcript]")
    assert 'Local model heard: "hello there"' in saved
    assert "browser_timezone" in saved
    screenshot(page, "session")
    page.goto("/")
    assert "helper" in page.inner_text("main")
    screenshot(page, "dashboard")


def test_it_runs_a_two_agent_conversation_with_alternating_turns(
        world: World, page_factory: Callable[[], Any], screenshot: Callable[..., Any]) -> None:
    page = page_factory()
    sign_in(page, "alice", "pw-alice")
    page.wait_for_url("**/")
    page.goto("/multi-agent/")
    for row in range(2):
        page.select_option(f"#agent-rows .agent-row >> nth={row} >> select[name=provider]", "local")
    page.select_option("#floor-policy", "round_robin")
    page.click("#start")
    _wait_badge(page, "connection-state", "connected")
    page.wait_for_function(f"document.querySelectorAll('{AGENT_BUBBLES}:not(.open)').length >= 3", timeout=30_000)
    speakers = page.eval_on_selector_all(f"{AGENT_BUBBLES} .speaker", "els => els.map(e => e.textContent)")
    assert set(speakers[:3]) == {"Ada", "Grace"}
    assert all(a != b for a, b in pairwise(speakers)), f"turns alternate: {speakers}"
    colours = page.eval_on_selector_all(f"{AGENT_BUBBLES}", "els => els.map(e => e.style.getPropertyValue('--agent-colour'))")
    assert colours[0] != colours[1], "each agent has its own colour"
    screenshot(page, "multiagent")
    page.click("#stop")
    _wait_badge(page, "connection-state", "closed")
    assert page.inner_text("#errors") == ""
    assert page.js_errors == []
