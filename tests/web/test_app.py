"""create_app assembles the capabilities, serves static files and documents the API."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from permed_atlas.capabilities import CAPABILITIES, Capability
from permed_atlas.errors import SettingsError
from permed_atlas.web import create_app

STATIC = Path(__file__).resolve().parents[2] / "src" / "permed_atlas" / "web" / "static"


def test_every_capability_with_routes_is_mounted(app, client) -> None:
    expected = tuple(c.name for c in CAPABILITIES if c.routes)
    assert app.state.capabilities == expected
    assert "landscape" in expected and "accounts" in expected
    spec = client.get("/api/v1/openapi.json").json()
    assert any(path.startswith("/api/v1/landscape/") for path in spec["paths"])


def test_a_missing_routes_module_is_an_error(settings, engine, monkeypatch) -> None:
    import permed_atlas.web.app as web_app

    monkeypatch.setattr(
        web_app, "CAPABILITIES", (*CAPABILITIES, Capability("nosuchcap", routes=True))
    )
    with pytest.raises(SettingsError, match="nosuchcap.*routes.py is missing"):
        create_app(settings)


def test_create_app_migrates_the_platform_database(settings) -> None:
    from sqlalchemy import inspect

    from permed_atlas.db import make_engine

    create_app(settings)
    engine = make_engine(settings.platform_database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"users", "audit_log", "login_attempt", "ingest_run"} <= tables


def test_create_app_without_settings_reads_the_environment(tmp_path, monkeypatch) -> None:
    from permed_atlas.settings import get_settings

    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "env-data"))
    get_settings.cache_clear()
    try:
        app = create_app()
    finally:
        get_settings.cache_clear()
    assert app.state.settings.data_dir == tmp_path / "env-data"
    assert (tmp_path / "env-data" / "platform.sqlite").exists()


def test_health_openapi_and_docs(client) -> None:
    assert client.get("/api/v1/health").json()["status"] == "ok"
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "PerMed Atlas"
    for path in (
        "/api/v1/landscape/search",
        "/api/v1/landscape/works/{work_id}",
        "/api/v1/landscape/dashboard",
        "/api/v1/landscape/network",
        "/api/v1/landscape/search/export",
        "/api/v1/auth/login",
    ):
        assert path in spec["paths"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_openapi_component_names_carry_no_module_paths(client) -> None:
    # FastAPI falls back to "permed_atlas__pkg__module__Name" when two models share a name,
    # which is what client generators then turn into class names.
    names = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert [name for name in names if "__" in name] == []


def test_api_docs_need_no_internet(client) -> None:
    assert client.get("/docs", follow_redirects=False).headers["location"] == "/api/v1/docs"
    page = client.get("/docs")
    assert page.status_code == 200 and 'data-openapi-url="/api/v1/openapi.json"' in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    # Same origin only: relative paths or the app's own host, never a CDN.
    assert sources and all(urlsplit(source).netloc in {"", "testserver"} for source in sources), (
        sources
    )
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
    bundle = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert len(bundle.content) > 500_000 and "SwaggerUIBundle" in bundle.text


def test_home_page_links_the_capabilities(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'href="/landscape/"' in page.text
    assert 'action="/landscape/search"' in page.text


def test_vendored_libraries_are_served_locally_with_licences(client) -> None:
    for path in (
        "vendor/vega/vega-6.4.0.min.js",
        "vendor/vega/vega-lite-6.4.3.min.js",
        "vendor/vega/vega-embed-7.3.0.min.js",
        "vendor/vis-network/vis-network-10.1.5.min.js",
        "css/app.css",
    ):
        response = client.get(f"/static/{path}")
        assert response.status_code == 200 and len(response.content) > 1000, path
    for licence in (
        "vega/LICENSE-vega",
        "vega/LICENSE-vega-lite",
        "vega/LICENSE-vega-embed",
        "vis-network/LICENSE-MIT",
        "vis-network/LICENSE-APACHE-2.0",
    ):
        assert (STATIC / "vendor" / licence).exists(), licence


def test_templates_load_no_script_from_another_host() -> None:
    templates = Path(__file__).resolve().parents[2] / "src" / "permed_atlas" / "web" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert '<script src="http' not in text and "cdn." not in text, template


def test_static_path_tricks_are_refused(client) -> None:
    for path in (
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        "/static/vendor/../../app.py",
    ):
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert "create_app" not in response.text


def test_security_headers_on_pages_and_api(client) -> None:
    for path in ("/", "/api/v1/health", "/no/such/page"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_permed_serve_starts_the_app(tmp_path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PERMED_DATA_DIR": str(tmp_path / "served")}
    process = subprocess.Popen(
        [sys.executable, "-m", "permed_atlas", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
        assert response.json()["status"] == "ok"
        assert (tmp_path / "served" / "platform.sqlite").exists()
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_home_page_says_what_the_platform_holds_and_what_each_module_is_for(
    client, web_corpus
) -> None:
    html = client.get("/").text
    figures = html[html.index('data-testid="key-figures"') :]
    assert "<b>120</b> works" in figures and "<b>108</b> publications" in figures
    assert "<b>12</b> patents" in figures
    assert "Sources:" in figures and "OpenAlex 108" in figures and "Lens 12" in figures
    for module in ("landscape", "delphi", "transfer", "federation", "helpdesk"):
        card = re.search(rf'data-testid="module-{module}">(.*?)</a>', html, re.S)
        assert card is not None, module
        assert "Data:" in card.group(1) and len(card.group(1)) > 120, module


def test_home_page_of_an_empty_platform_says_how_to_fill_it(client) -> None:
    html = client.get("/").text
    assert "The landscape corpus is empty" in html and "permed ingest" in html
