"""Loading a biobank table through its mapping; counts against the raw file; the query log."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from permed_atlas.federation.errors import (
    BudgetExceededError,
    DifferencingRefusedError,
    MappingError,
)
from permed_atlas.federation.mapping import load_node_config
from permed_atlas.federation.node_store import open_node_store
from permed_atlas.federation.query import query_from_json

from .conftest import DEMO, demo_store

CONFIG = {
    "node": {"id": "t", "name": "Test bank", "region": "EU", "country": "NL"},
    "disclosure": {"k": 3, "daily_budget": 5},
    "auth": {"trusted_issuers": {"hub": {"secret": "s" * 32}}},
    "columns": {
        "sample_id": "id",
        "donor_id": "donor",
        "diagnosis": "dx",
        "sex": "gender",
        "material": "mat",
        "age_at_collection": "age",
        "collection_year": "yr",
        "consent": "duo",
    },
    "values": {"sex": {"V": "female", "M": "male"}, "material": {"Bloed": "WHOLE_BLOOD"}},
}
HEADER = ["id", "donor", "dx", "gender", "mat", "age", "yr", "duo"]
ROWS = [
    ["1", "a", "C50.1", "V", "Bloed", "51", "2019", "GRU"],
    ["2", "a", "C501", "V", "SERUM", "51", "2019", "GRU"],
    ["3", "b", "c50", "V", "serum", "60.5", "2020", "GRU;NCU"],
    ["4", "c", "E11.9", "M", "", "", "2021", "DUO:0000006"],
    ["5", "d", "", "", "DNA", "33", "2018", ""],
]


def write(tmp_path: Path, rows: list[list[str]], config: dict | None = None) -> tuple[Path, Path]:  # type: ignore[type-arg]
    data = tmp_path / "bank.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    cfg = tmp_path / "bank.yaml"
    cfg.write_text(yaml.safe_dump(config or CONFIG), encoding="utf-8")
    return data, cfg


def ask(filters: list[dict[str, str]], entity: str = "biosamples"):  # type: ignore[no-untyped-def]
    return query_from_json({"query": {"filters": filters, "requestParameters": {"entity": entity}}})


def test_mapping_loads_and_counts(tmp_path: Path) -> None:
    data, cfg = write(tmp_path, ROWS)
    store = open_node_store(load_node_config(cfg), data=data)
    assert store.sample_count() == 5
    assert store.true_count(ask([{"id": "ICD10:C50"}])) == 3
    assert store.true_count(ask([{"id": "ICD10:C50"}], "individuals")) == 2
    assert store.true_count(ask([{"id": "sex:unknown"}])) == 1  # empty -> unknown
    assert store.true_count(ask([{"id": "material:WHOLE_BLOOD"}])) == 1
    sixty = {"id": "age_at_collection", "operator": ">=", "value": "60"}
    assert store.true_count(ask([sixty])) == 1
    assert {d.duo_codes for d in store.datasets} == {(), ("GRU",), ("GRU", "NCU"), ("DUO:0000006",)}
    store.close()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["6", "e", "breast", "V", "SERUM", "40", "2019", ""], "bank.csv:7: column 'dx'"),
        (["6", "e", "C50", "Q", "SERUM", "40", "2019", ""], "column 'gender' (sex): 'Q'"),
        (["6", "e", "C50", "V", "Gold", "40", "2019", ""], "not a material term"),
        (["6", "e", "C50", "V", "SERUM", "old", "2019", ""], "column 'age'"),
        (["6", "e", "C50", "V", "SERUM", "40", "1800", ""], "not a collection year"),
        (["6", "e", "C50", "V", "SERUM", "40", "2019", "maybe?"], "not a DUO code"),
        (["1", "e", "C50", "V", "SERUM", "40", "2019", ""], "sample id '1' occurs 2 times"),
    ],
)
def test_bad_values_name_file_line_and_column(tmp_path: Path, row: list[str], message: str) -> None:
    data, cfg = write(tmp_path, [*ROWS, row])
    with pytest.raises(
        MappingError, match=message.replace("?", r"\?").replace("(", r"\(").replace(")", r"\)")
    ):
        open_node_store(load_node_config(cfg), data=data)


def test_a_row_of_another_width_is_named_not_taken_for_missing_columns(tmp_path: Path) -> None:
    # DuckDB's sniffer, given one short row, read each line as a single column named after
    # the whole header, and the node reported "column 'id' ... is missing".
    data, cfg = write(tmp_path, [*ROWS[:3], ["total", "5"], *ROWS[3:]])
    with pytest.raises(MappingError, match=re.escape(f"{data}:5: 2 cells, but the header has 8")):
        open_node_store(load_node_config(cfg), data=data)


def test_bad_configs_name_the_field(tmp_path: Path) -> None:
    missing_column = {**CONFIG, "columns": {**CONFIG["columns"], "sex": "geslacht"}}
    data, cfg = write(tmp_path, ROWS, missing_column)
    with pytest.raises(MappingError, match="'geslacht'"):
        open_node_store(load_node_config(cfg), data=data)
    for broken, field in (
        ({**CONFIG, "values": {"sex": {"V": "vrouw"}}}, "values.sex"),
        ({**CONFIG, "auth": {}}, "trusted_issuers"),
        ({**CONFIG, "disclosure": {"k": 0}}, "disclosure"),
        ({k: v for k, v in CONFIG.items() if k != "node"}, "node.id"),
    ):
        cfg.write_text(yaml.safe_dump(broken), encoding="utf-8")
        with pytest.raises(MappingError, match=field):
            load_node_config(cfg)


@pytest.mark.parametrize(
    ("section", "value", "field"),
    [
        ("node", 7, "field 'node' must be a mapping of fields"),
        ("disclosure", [1, 2], "field 'disclosure' must be a mapping of fields"),
        ("auth", "secret", "field 'auth' must be a mapping of fields"),
        (
            "auth",
            {"trusted_issuers": "hub"},
            "field 'auth.trusted_issuers' must be a mapping of fields",
        ),
        (
            "auth",
            {"trusted_issuers": {"hub": "s"}, "allowed_requesters": {"a": 1}},
            "field 'auth.allowed_requesters' must be a list",
        ),
        ("columns", ["sample_id"], "field 'columns' must be a mapping of fields"),
        ("values", {"sex": "female"}, "field 'values.sex' must be a mapping of fields"),
        ("defaults", 1.5, "field 'defaults' must be a mapping of fields"),
    ],
)
def test_a_config_section_of_the_wrong_kind_is_named(
    tmp_path: Path, section: str, value: object, field: str
) -> None:
    # A hand-edited config with a section of the wrong YAML kind gets an error naming the
    # section, not a Python traceback.
    data, cfg = write(tmp_path, ROWS, {**CONFIG, section: value})
    with pytest.raises(MappingError, match=re.escape(f"{cfg}: {field}")):
        load_node_config(cfg)


def test_a_lone_allowed_requester_is_one_requester(tmp_path: Path) -> None:
    # "allowed_requesters: hub" once became one requester per letter.
    auth = {**CONFIG["auth"], "allowed_requesters": "hub"}
    data, cfg = write(tmp_path, ROWS, {**CONFIG, "auth": auth})
    assert load_node_config(cfg).allowed_requesters == ("hub",)


def test_demo_store_counts_match_the_raw_csv() -> None:
    store = demo_store("cn-shanghai")
    with (DEMO / "cn-shanghai.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    neoplasm_serum_50s = sum(
        1
        for r in rows
        if "C00" <= r["诊断ICD10"][:3] <= "D48"
        and r["材料"] == "血清"
        and 50 <= int(r["采集年龄"]) <= 59
    )
    question = ask(
        [
            {"id": "ICD10:chapter:II"},
            {"id": "material:SERUM"},
            {"id": "age_at_collection", "operator": ">=", "value": "50"},
            {"id": "age_at_collection", "operator": "<", "value": "60"},
        ]
    )
    assert store.true_count(question) == neoplasm_serum_50s
    store.close()


def test_log_budget_and_guard_survive_a_restart(tmp_path: Path) -> None:
    # Without perturbation (D = 0), so the counts the guard compares are the true ones below.
    unperturbed = {**CONFIG, "disclosure": {**CONFIG["disclosure"], "ckm_max_deviation": 0}}
    data, cfg = write(tmp_path, ROWS, unperturbed)
    path = tmp_path / "node-log.sqlite"
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    store = open_node_store(load_node_config(cfg), data=data, log=path)
    store.answer(ask([{"id": "ICD10:C50"}]), requester="r", issuer="hub", now=now)
    store.close()
    store = open_node_store(load_node_config(cfg), data=data, log=path)
    # C50 = 3; C50 and female = 3: equal counts pass; C50.1 = 2 differs by 1 < k=3: refused.
    store.answer(
        ask([{"id": "ICD10:C50"}, {"id": "sex:female"}]), requester="r", issuer="hub", now=now
    )
    with pytest.raises(DifferencingRefusedError):
        store.answer(ask([{"id": "ICD10:C50.1"}]), requester="r", issuer="hub", now=now)
    # Refused questions count against the budget of 5 too.
    diabetes = ask([{"id": "ICD10:E11"}])
    for _ in range(2):
        store.answer(diabetes, requester="r", issuer="hub", now=now)
    with pytest.raises(BudgetExceededError):
        store.answer(diabetes, requester="r", issuer="hub", now=now)
    # The next UTC day has a fresh budget.
    store.answer(diabetes, requester="r", issuer="hub", now=now + timedelta(days=1))
    outcomes = [e.outcome for e in store.query_log()]
    assert outcomes.count("refused") == 1 and outcomes.count("over_budget") == 1
    assert all(e.requester == "r" for e in store.query_log())
    store.close()


def test_record_keys_and_answers_survive_a_restart(tmp_path: Path) -> None:
    rows = [
        [
            str(i),
            f"d{i // 2}",
            "C50.1" if i % 3 else "E11.9",
            "V" if i % 2 else "M",
            "SERUM",
            str(30 + i % 40),
            "2019",
            "GRU",
        ]
        for i in range(400)
    ]
    data, cfg = write(tmp_path, rows)
    path = tmp_path / "node-log.sqlite"
    questions = [
        ask([{"id": "ICD10:C50"}]),
        ask([{"id": "sex:male"}]),
        ask([{"id": "ICD10:E11"}], "individuals"),
        ask([{"id": "age_at_collection", "operator": ">=", "value": "50"}]),
    ]
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)

    def answers(log: Path | None, requester: str) -> list[str]:
        store = open_node_store(load_node_config(cfg), data=data, log=log)
        try:
            return [
                store.answer(q, requester=f"{requester}{i}", issuer="hub", now=now).display
                for i, q in enumerate(questions)
            ]
        finally:
            store.close()

    first = answers(path, "a")
    assert answers(path, "b") == first  # the record-key secret was kept in the log file
    in_memory = answers(None, "c")
    assert answers(None, "d") == in_memory  # derived from the configured secret
    store = open_node_store(load_node_config(cfg), data=data, log=path)
    secret = store._db.execute("SELECT value FROM node_state").fetchone()[0]
    assert len(secret) == 64
    store.close()
