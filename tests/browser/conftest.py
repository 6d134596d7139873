"""Browser fixtures: ``live_server`` (uvicorn in a thread) and ``page`` (Playwright + chromium)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.serving import serve_in_thread

CHROMIUM = os.environ.get("PERMED_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The base URL (``http://127.0.0.1:PORT``) of ``app`` served by uvicorn in a thread."""
    server, thread, port = serve_in_thread(app, log_level="warning")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# Module scope, not session: Playwright's sync API keeps an event loop running while it is
# open, and later tests that call asyncio.run() (the federation hub) would fail under it.
@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """One headless chromium per test module (Debian's, since Playwright cannot download one)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: run scripts/install-chromium.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):  # type: ignore[no-untyped-def]
    """A fresh page (own cookies, downloads allowed); a screenshot is saved when the test ends."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    browser_page = context.new_page()
    yield browser_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # A failed final screenshot (page crashed, closed) must not mask the test's own result.
    with contextlib.suppress(Exception):
        browser_page.screenshot(
            path=str(SCREENSHOTS / f"{request.node.name}-end.png"), full_page=True
        )
    context.close()


@pytest.fixture
def screenshot(page, request):  # type: ignore[no-untyped-def]
    """Save a named screenshot: ``screenshot("search-results")``."""

    def _take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _take
