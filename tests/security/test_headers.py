"""Finding 5: security headers on every response; HSTS and Secure cookies whenever HTTPS.

Before: no Content-Security-Policy, and cookies were Secure only with
PERMED_ENVIRONMENT=production, so an HTTPS deployment in "local" mode sent the
session cookie over plain HTTP as well.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from permed_atlas.web.app import create_app

PAGES = ["/", "/login", "/api/v1/health", "/static/css/app.css", "/no-such-page", "/delphi/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer"}
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_https_gets_hsts_and_secure_cookies_in_any_environment(app) -> None:  # type: ignore[no-untyped-def]
    assert app.state.settings.environment == "test"
    with TestClient(app, base_url="https://testserver") as https:
        response = https.get("/login")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        cookie = response.headers["set-cookie"]
        assert "permed_session=" in cookie and "secure" in cookie.lower()
    with TestClient(app, base_url="http://testserver") as http:
        cookie = http.get("/login").headers["set-cookie"]
        assert "secure" not in cookie.lower()


def test_https_behind_a_trusted_proxy_only(settings) -> None:  # type: ignore[no-untyped-def]
    proxied = create_app(settings.model_copy(update={"trusted_proxies": ["10.0.0.1"]}))
    try:
        forwarded = {"X-Forwarded-Proto": "https"}
        with TestClient(proxied, client=("10.0.0.1", 1)) as via_proxy:
            response = via_proxy.get("/login", headers=forwarded)
            assert "Strict-Transport-Security" in response.headers
            assert "secure" in response.headers["set-cookie"].lower()
        with TestClient(proxied, client=("203.0.113.4", 1)) as direct:
            response = direct.get("/login", headers=forwarded)
            assert "Strict-Transport-Security" not in response.headers
            assert "secure" not in response.headers["set-cookie"].lower()
    finally:
        proxied.state.engine.dispose()


def test_no_template_carries_an_inline_script_the_policy_would_block() -> None:
    """Every <script> the app serves is a file under /static or inert JSON data."""
    import re

    from permed_atlas.web.templating import TEMPLATES_DIR

    offenders = []
    for path in TEMPLATES_DIR.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.name}: {tag}")
        if re.search(r"\son[a-z]+=\"", text) or "javascript:" in text:
            offenders.append(f"{path.name}: inline event handler or javascript: URL")
    assert offenders == []
