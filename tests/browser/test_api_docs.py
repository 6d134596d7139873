"""The API reference renders in a browser that can reach nothing but the app."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_offline(live_server, page, screenshot) -> None:
    outside: list[str] = []

    def only_loopback(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(f"{live_server}/docs")
    page.wait_for_url("**/api/v1/docs")
    # Swagger UI parses 1.5 MB of script and the whole OpenAPI document: slow on a busy machine.
    page.locator(".opblock").first.wait_for(timeout=60_000)
    assert page.locator(".opblock").count() > 20
    assert "PerMed Atlas" in page.locator(".information-container").inner_text()
    screenshot("swagger-ui")
    assert outside == []
