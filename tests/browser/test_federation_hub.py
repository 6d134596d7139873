"""A researcher asks the federated biobanks from the hub page in a real browser."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import yaml
from tests.serving import serve_in_thread

from permed_atlas.federation import load_node_config, open_node_store
from permed_atlas.federation.mapping import bundled_data_dir
from permed_atlas.federation.node_app import create_node_app

pytestmark = pytest.mark.browser
NODES = {"de-berlin": "de-berlin.csv", "cn-shanghai": "cn-shanghai.csv"}


@pytest.fixture
def demo_registry(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Two demo nodes (EU and CN) on loopback, registered in the app's nodes.yaml."""
    demo = bundled_data_dir()
    running, entries = [], []
    for node_id, data in NODES.items():
        config = load_node_config(demo / f"{node_id}.yaml")
        store = open_node_store(config, data=demo / data, threads=1)
        server, thread, port = serve_in_thread(create_node_app(store))
        running.append((server, thread, store))
        entries.append(
            {
                "id": node_id,
                "name": config.identity.name,
                "url": f"http://127.0.0.1:{port}",
                "region": config.identity.region,
                "country": config.identity.country,
                "secret": config.trusted_issuers["permed-hub"],
                "timeout_s": 15,
            }
        )
    folder = settings.data_dir / "federation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.yaml").write_text(
        yaml.safe_dump({"hub": {"issuer": "permed-hub"}, "nodes": entries}), encoding="utf-8"
    )
    yield
    for server, thread, store in running:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


def test_ask_all_biobanks_and_read_bounds(
    demo_registry,
    live_server: str,
    page,  # type: ignore[no-untyped-def]
    screenshot,
) -> None:
    page.goto(f"{live_server}/federation/")
    page.fill('input[name="diagnosis"]', "C50")
    page.select_option('select[name="sex"]', "female")
    page.select_option('select[name="purpose"]', "HMB")
    page.fill('input[name="country"]', "DE")
    page.select_option('select[name="commercial"]', "no")
    # Every fact a DUO modifier can need is on the form, not-for-profit included.
    page.select_option('select[name="not_for_profit"]', "yes")
    page.get_by_role("button", name="Ask all biobanks").click()
    page.wait_for_selector('[data-testid="hub-result"]')
    rows = page.get_by_test_id("per-node")
    assert "ok" in rows.locator('tr[data-node="de-berlin"]').inner_text()
    shanghai = rows.locator('tr[data-node="cn-shanghai"]').inner_text()
    # Shanghai's oncology collection is limited to China (GS=CN); a German requester is left out.
    assert "left out" in shanghai and "ok" in shanghai
    assert "Total:" in page.get_by_test_id("total").inner_text()
    screenshot("hub-result")


@pytest.fixture
def down_registry(settings) -> None:  # type: ignore[no-untyped-def]
    """The bundled demo registry with every node on a loopback port where nothing listens."""
    demo = bundled_data_dir()
    registry = yaml.safe_load((demo / "nodes.yaml").read_text(encoding="utf-8"))
    for node in registry["nodes"]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            node["url"] = f"http://127.0.0.1:{sock.getsockname()[1]}"
        node["data"], node["config"] = str(demo / node["data"]), str(demo / node["config"])
    folder = settings.data_dir / "federation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.yaml").write_text(yaml.safe_dump(registry), encoding="utf-8")


def test_offline_biobanks_are_named_with_how_to_start_them(  # type: ignore[no-untyped-def]
    down_registry,
    live_server: str,
    page,
    screenshot,
) -> None:
    page.goto(f"{live_server}/federation/")
    offline = page.get_by_test_id("offline-nodes")
    text = offline.inner_text()
    assert "4 of 4 biobanks are offline" in text
    assert "Biobank Berlin (demo)" in text and "Shanghai Biobank (demo)" in text
    assert "permed node serve --data" in text and "permed demo" in text
    page.fill('input[name="diagnosis"]', "C50")
    page.get_by_role("button", name="Ask all biobanks").click()
    page.wait_for_selector('[data-testid="hub-result"]')
    body = page.inner_text("body")
    assert "Total: 0" not in body
    assert "No biobank gave a count" in page.get_by_test_id("total").inner_text()
    assert "ConnectError" not in body and "Error:" not in body
    assert page.get_by_test_id("no-match").is_visible()
    assert page.get_by_test_id("request-form").count() == 0
    assert page.get_by_test_id("hub-result").get_by_role("link", name="Log in").count() == 0
    screenshot("hub-offline")


def test_login_to_request_access_is_offered_when_something_matched(  # type: ignore[no-untyped-def]
    demo_registry,
    live_server: str,
    page,
) -> None:
    page.goto(f"{live_server}/federation/")
    assert page.get_by_test_id("offline-nodes").count() == 0
    page.fill('input[name="diagnosis"]', "C50")
    page.get_by_role("button", name="Ask all biobanks").click()
    page.wait_for_selector('[data-testid="hub-result"]')
    assert page.get_by_test_id("hub-result").get_by_role("link", name="Log in").is_visible()
    page.fill('input[name="age"]', "150-160")
    page.get_by_role("button", name="Ask all biobanks").click()
    page.wait_for_selector('[data-testid="no-match"]')
    assert page.get_by_test_id("hub-result").get_by_role("link", name="Log in").count() == 0
