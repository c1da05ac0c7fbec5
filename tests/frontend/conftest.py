"""Browser fixtures: Debian's Chromium through Playwright, the real platform served by daphne,
and screenshots saved as test artifacts.

The browser starts *after* the test's data is committed: Playwright's sync API runs an event
loop in this thread, and Django refuses ORM calls while one runs. So tests create their data
first (``world``, extra memberships), then ask for ``page``.
"""

from __future__ import annotations

import math
import os
import re
import struct
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.servers import REPO, daphne, project_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
SPEECH_WAV = REPO / ".run" / "fake-mic-burst.wav"


def speech_wav() -> Path:
    """The fake microphone's input, looped by Chromium: a 0.8 s tone burst (a "turn"), then 2.5 s of
    silence, so an energy VAD hears speech start and, after the silence, end."""
    rate = 48000
    burst = [int(12000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(rate * 0.8))]
    samples = burst + [0] * int(rate * 2.5)
    SPEECH_WAV.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(SPEECH_WAV), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return SPEECH_WAV


@pytest.fixture(scope="session")
def platform_url(django_db_setup: None) -> Iterator[str]:
    """The real ASGI app in a daphne subprocess, on the test database, with DEBUG off."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = project_env(
        DJANGO_SETTINGS_MODULE="config.test_settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain http on loopback: secure-only cookies would never come back.
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECRET_KEY=os.environ["SECRET_KEY"],
        FIELD_ENCRYPTION_KEYS=os.environ["FIELD_ENCRYPTION_KEYS"],
        # The offline model, four times faster than real time, so conversations finish quickly.
        LOCAL_MODEL_SPEED="4",
    )
    with daphne(env, log=REPO / ".run" / "test-frontend-daphne.log") as base:
        yield base


@pytest.fixture
def browser_factory() -> Iterator[Callable[[], object]]:
    """Launch Chromium on demand (after the test committed its data); closed at teardown."""
    if not CHROMIUM.exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing. Install it with `apt-get install -y chromium` "
                    "(`make test` does this when it can).")
    from playwright.sync_api import sync_playwright

    started: list[object] = []
    manager = sync_playwright()

    def launch() -> object:
        playwright = manager.start()
        args = [*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={speech_wav()}"]
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        started.append(browser)
        return browser

    yield launch
    for browser in started:
        browser.close()  # type: ignore[attr-defined]
    if started:
        manager.__exit__(None, None, None)


@pytest.fixture
def page_factory(browser_factory: Callable[[], object], platform_url: str) -> Callable[[], object]:
    """A fresh page (own cookies) on the platform; call it once the test's data is committed."""
    browser = None

    def new_page() -> object:
        nonlocal browser
        if browser is None:
            browser = browser_factory()
        context = browser.new_context(base_url=platform_url, viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # uncaught page exceptions, asserted empty by tests that care
        return page

    return new_page


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[object, str], Path]:
    """``screenshot(page, "name")`` saves test-artifacts/screenshots/<test>--<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: object, name: str) -> Path:
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}--{name}")
        path = SCREENSHOTS / f"{stem}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path

    return save


def sign_in(page: object, username: str, password: str) -> None:
    page.goto("/login/")  # type: ignore[attr-defined]
    page.fill("#id_username", username)  # type: ignore[attr-defined]
    page.fill("#id_password", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
