"""A number quoted from one view checks out in another: `permed indicators`, the dashboard's
JSON and CSV, and the search count, for the same facets typed the same way."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app as cli

API = "/api/v1/landscape"


def _cli_total(args: list[str]) -> int:
    result = CliRunner().invoke(cli, ["indicators", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return sum(r["works"] for r in json.loads(result.output)["output"] if r["region"] == "ALL")


def _web_totals(client, params: dict[str, str]) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    dashboard = client.get(f"{API}/dashboard", params=params)
    assert dashboard.status_code == 200, dashboard.text
    rows = dashboard.json()["indicators"]["output"]["rows"]
    table = client.get(f"{API}/dashboard/output", params={**params, "format": "csv"})
    assert table.status_code == 200, table.text
    search = client.get(f"{API}/search", params=params)
    assert search.status_code == 200, search.text
    return (
        sum(r["works"] for r in rows if r["region"] == "ALL"),
        sum(
            int(r["works"]) for r in csv.DictReader(io.StringIO(table.text)) if r["region"] == "ALL"
        ),
        search.json()["total"],
    )


@pytest.mark.parametrize(
    ("args", "params"),
    [
        # A country or topic written as the pages show it, not as a code.
        (["--country", "China"], {"country": "China"}),
        (["--country", "deu", "--from-year", "2021"], {"country": "deu", "year_from": "2021"}),
        (["--topic", "Oncology"], {"topic": "Oncology"}),
        (["--country", "CN", "--pm-only"], {"country": "CN", "pm_relevant": "yes"}),
        # A real country no work has: 0 in every view, not an error in some.
        (["--country", "Mongolia"], {"country": "Mongolia"}),
        (["--country", "MN", "--kind", "patent"], {"country": "MN", "kind": "patent"}),
    ],
)
def test_cli_dashboard_and_search_count_the_same_works(corpus_file, client, args, params) -> None:
    cli_total = _cli_total(args)
    assert _web_totals(client, params) == (cli_total,) * 3
    if "Mongolia" not in args and "MN" not in args:
        assert cli_total > 0


def test_a_country_no_work_has_keeps_the_csv_header(corpus_file, client) -> None:
    result = CliRunner().invoke(
        cli, ["indicators", "--format", "csv", "--country", "MN", "--indicator", "output"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "indicator,region,year,works,pm_relevant,eu_cn\n"
    table = client.get(f"{API}/dashboard/output", params={"country": "MN", "format": "csv"})
    assert table.text == "region,year,works,pm_relevant,eu_cn\n"


def test_a_code_that_is_no_country_is_refused_everywhere(corpus_file, client) -> None:
    result = CliRunner().invoke(cli, ["indicators", "--country", "ZZ"])
    assert result.exit_code != 0 and "'ZZ'" in str(result.exception)
    for path in ("/dashboard", "/search", "/network"):
        answer = client.get(f"{API}{path}", params={"country": "ZZ"})
        assert answer.status_code == 422 and answer.json()["field"] == "country"


@pytest.mark.parametrize(
    ("command", "param", "value"),
    [
        (["indicators"], "topic", "Oncolgy"),
        (["indicators"], "topic", "no-such-topic"),
        (["network", "--out", "net.gexf"], "region", "EU72"),
    ],
)
def test_a_facet_value_no_work_has_is_refused_by_the_cli_as_by_the_web(
    corpus_file, client, tmp_path, monkeypatch, command, param, value
) -> None:
    # A typo used to give a table of zeros (or an empty network) from the CLI while every
    # web view answered 422 naming the facet.
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*command, f"--{param}", value])
    assert result.exit_code != 0
    assert repr(value) in str(result.exception) and param in str(result.exception)
    assert not (tmp_path / "net.gexf").exists()
    for path in ("/dashboard", "/network"):
        answer = client.get(f"{API}{path}", params={param: value})
        assert answer.status_code == 422 and answer.json()["field"] == param
