"""Every DUO purpose and intended-use fact the matcher knows can be stated on the CLI and the page.

A live node holds a not-for-profit-only (NPU) collection: without
``--not-for-profit`` it is left out, with it it is counted.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.federation._synthetic import STYLES, write_synthetic_biobank
from permed_atlas.federation.data_use import (
    data_use_from_values,
    purpose_choices,
    use_fields,
)
from permed_atlas.federation.errors import FilterError
from permed_atlas.federation.mapping import load_node_config
from permed_atlas.federation.node_app import create_node_app
from permed_atlas.federation.node_store import open_node_store
from permed_atlas.settings import Settings
from permed_atlas.transfer import DataUseRequest, load_duo_ontology

from .conftest import ServerThread

runner = CliRunner()
SECRET = "npu-node-secret-0123456789abcdef"
NPU = "DUO:0000045"


def test_fields_and_purposes_come_from_the_matcher() -> None:
    names = {f.name for f in dataclasses.fields(DataUseRequest)} - {"purpose"}
    assert {f.name for f in use_fields()} == names
    assert {"not_for_profit", "genetic_study", "will_return_data"} <= names
    duo = load_duo_ontology()
    permissions = {t.id for t in duo.of_kind("permission")} - {"DUO:0000004"}
    codes = {c.code for c in purpose_choices()}
    assert permissions <= codes and set(duo.purposes) <= codes
    assert "DUO:0000004" not in codes  # NRES is a consent, not a purpose


def test_values_are_read_into_a_request_with_clear_errors() -> None:
    use = data_use_from_values(
        {
            "purpose": "hmb",
            "not_for_profit": "yes",
            "regions": "eu27",
            "duration_months": "12",
            "country": "de",
            "commercial": "",
        }
    )
    assert use == DataUseRequest(
        purpose="hmb", not_for_profit=True, regions=("EU27",), duration_months=12, country="DE"
    )
    assert data_use_from_values({"purpose": ""}) is None
    with pytest.raises(FilterError, match="not a DUO purpose"):
        data_use_from_values({"purpose": "NRES"})
    with pytest.raises(FilterError, match="not_for_profit: answer yes or no"):
        data_use_from_values({"purpose": "HMB", "not_for_profit": "perhaps"})
    with pytest.raises(FilterError, match="duration_months"):
        data_use_from_values({"purpose": "HMB", "duration_months": "a year"})
    # A country the GS check cannot place is refused here, not inside a node's match.
    assert data_use_from_values({"purpose": "HMB", "country": "Germany"}).country == "DE"
    with pytest.raises(FilterError, match="country: .*unknown country"):
        data_use_from_values({"purpose": "HMB", "country": "Atlantis"})


@pytest.fixture(scope="module")
def npu_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("npu-node")
    data = write_synthetic_biobank(
        folder / "bank.csv",
        rows=600,
        seed=45,
        style="en",
        country="NL",
        prefix="NPU",
        collections={"general": "DUO:0000042", "charity": f"DUO:0000042;{NPU}"},
    )
    names = STYLES["en"]
    config = folder / "bank.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "node": {"id": "nl-npu", "name": "NPU bank", "region": "EU", "country": "NL"},
                "disclosure": {"k": 5},
                "auth": {"trusted_issuers": {"permed-hub": {"secret": SECRET}}},
                "columns": {
                    "sample_id": names["sample_id"],
                    "donor_id": names["donor_id"],
                    "collection": names["collection"],
                    "diagnosis": names["diagnosis"],
                    "sex": names["sex"],
                    "consent": names["consent"],
                },
            }
        ),
        encoding="utf-8",
    )
    store = open_node_store(load_node_config(config), data=data, threads=1)
    server = ServerThread(create_node_app(store)).start()
    registry = folder / "nodes.yaml"
    registry.write_text(
        yaml.safe_dump(
            {
                "hub": {"issuer": "permed-hub"},
                "nodes": [
                    {
                        "id": "nl-npu",
                        "name": "NPU bank",
                        "url": server.url,
                        "region": "EU",
                        "country": "NL",
                        "secret": SECRET,
                        "timeout_s": 15,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    yield registry
    server.stop()
    store.close()


def _used(output: str) -> tuple[list[str], list[str]]:
    node = json.loads(output)["nodes"][0]
    assert node["status"] == "ok", node
    return sorted(node["datasets_used"]), [d["id"] for d in node["datasets_excluded"]]


def test_cli_counts_npu_collections_for_a_not_for_profit_requester(npu_registry: Path) -> None:
    base = ["hub", "query", "--nodes", str(npu_registry), "--purpose", "HMB", "--json"]
    silent = runner.invoke(app, base + ["--requester", "npu-1"])
    assert silent.exit_code == 0, silent.output
    used, excluded = _used(silent.output)
    assert len(used) == 1 and len(excluded) == 1  # not stated: the NPU collection is out
    stated = runner.invoke(app, base + ["--not-for-profit", "--requester", "npu-2"])
    assert stated.exit_code == 0, stated.output
    assert len(_used(stated.output)[0]) == 2 and _used(stated.output)[1] == []
    denied = runner.invoke(app, base + ["--no-not-for-profit", "--requester", "npu-3"])
    assert len(_used(denied.output)[1]) == 1
    # Investigation terms are purposes too; an unknown purpose names the known ones.
    genetic = runner.invoke(
        app,
        base[:-3]
        + ["--purpose", "DUO:0000038", "--not-for-profit", "--json", "--requester", "npu-4"],
    )
    assert genetic.exit_code == 0, genetic.output
    wrong = runner.invoke(app, base[:-3] + ["--purpose", "NOPE"])
    assert wrong.exit_code != 0 and "GRU" in wrong.output


def test_page_offers_every_purpose_and_fact_and_counts_npu(
    client,
    settings: Settings,
    npu_registry: Path,  # type: ignore[no-untyped-def]
) -> None:
    folder = settings.data_dir / "federation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.yaml").write_text(npu_registry.read_text(encoding="utf-8"), encoding="utf-8")
    page = client.get("/federation/").text
    for item in use_fields():
        assert f'name="{item.name}"' in page, item.name
    for choice in purpose_choices():
        assert f'value="{choice.shorthand}"' in page, choice.code
    params = {"run": "1", "purpose": "HMB", "not_for_profit": "yes"}
    data = client.get("/api/v1/federation/query", params=params).json()
    assert len(data["nodes"][0]["datasets_used"]) == 2
    data = client.get("/api/v1/federation/query", params={**params, "not_for_profit": ""}).json()
    assert len(data["nodes"][0]["datasets_excluded"]) == 1
    shown = client.get("/federation/", params=params).text
    assert 'value="yes" selected' in shown  # the form keeps what was asked
