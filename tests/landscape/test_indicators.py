from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.store.indicators import (
    CoPublicationYear,
    LandscapeFilter,
    compute_indicators,
    eu_cn_copublications,
    output_by_year_region,
    patents_by_applicant_region,
    top_cited_eu_cn,
    top_countries,
    top_institutions,
    topic_mix,
    topic_trends,
)


def test_output_per_year_and_region(tagged) -> None:
    rows = {
        (r.region, r.year): (r.works, r.pm_relevant, r.eu_cn)
        for r in output_by_year_region(tagged, regions=["EU27", "CN"])
    }
    assert rows == {
        ("ALL", 2019): (1, 0, 0),
        ("ALL", 2020): (2, 1, 1),
        ("ALL", 2021): (4, 1, 2),
        ("CN", 2020): (2, 1, 1),
        ("CN", 2021): (3, 1, 2),
        ("EU27", 2020): (1, 1, 1),
        ("EU27", 2021): (3, 1, 2),
    }


def test_copublications_and_shares(tagged) -> None:
    # 2020: EU pubs {1}, CN pubs {1, 2}; 2021: EU {3, 4}, CN {4, 7 (HK)}; patent 6 left out
    assert eu_cn_copublications(tagged) == [
        CoPublicationYear(2020, 1, 1, 2, 1.0, 0.5),
        CoPublicationYear(2021, 1, 2, 2, 0.5, 0.5),
    ]


def test_top_institutions_and_countries(tagged) -> None:
    institutions = [
        (r.region, r.rank, r.institution, r.works, r.eu_cn_works)
        for r in top_institutions(tagged, regions=["EU27"], limit=5)
    ]
    assert institutions == [("EU27", 1, "Charité", 2, 1), ("EU27", 2, "Inserm", 2, 1)]
    cn = [(r.institution, r.works) for r in top_institutions(tagged, regions=["CN"], limit=1)]
    assert cn == [("University of Hong Kong", 2)]
    countries = [
        (r.region, r.country_code, r.works, r.share)
        for r in top_countries(tagged, regions=["EU27", "CN"])
    ]
    assert countries == [
        ("CN", "CN", 4, 0.8),
        ("CN", "HK", 2, 0.4),
        ("EU27", "DE", 3, 0.75),
        ("EU27", "FR", 2, 0.5),
    ]


def test_topic_mix_and_trends(tagged) -> None:
    mix = {(r.region, r.topic): (r.works, r.share) for r in topic_mix(tagged, regions=["EU27"])}
    assert mix[("EU27", "oncology")] == (2, 0.5)
    assert mix[("EU27", "cardiovascular")] == (1, 0.25)
    assert not [key for key in mix if key[1] == "pm"]
    trends = {(r.topic, r.year): r.works for r in topic_trends(tagged, regions=["CN"])}
    assert trends[("oncology", 2020)] == 1 and trends[("oncology", 2021)] == 1
    assert trends[("tcm", 2020)] == 1


def test_patents_count_applicants_only(tagged) -> None:
    rows = [
        (r.region, r.year, r.patents, r.families)
        for r in patents_by_applicant_region(tagged, regions=["EU27", "CN"])
    ]
    assert rows == [("EU27", 2021, 1, 1)]  # the Chinese party is an inventor, not an applicant


def test_top_cited_eu_cn(tagged) -> None:
    rows = top_cited_eu_cn(tagged, limit=2)
    assert [(r.rank, r.work_id, r.cited_by_count) for r in rows] == [(1, 1, 50), (2, 4, 30)]
    assert rows[0].countries == ("CN", "DE", "HK")
    publications = top_cited_eu_cn(tagged, LandscapeFilter(kind="patent"))
    assert [r.work_id for r in publications] == [6]


@pytest.mark.parametrize(
    ("flt", "total"),
    [
        (LandscapeFilter(), 7),
        (LandscapeFilter(year_from=2020, year_to=2020), 2),
        (LandscapeFilter(kind="patent"), 1),
        (LandscapeFilter(region="eu27"), 4),
        (LandscapeFilter(country="fr"), 2),
        (LandscapeFilter(institution="Charité"), 2),
        (LandscapeFilter(institution="I6"), 1),
        (LandscapeFilter(topic="oncology"), 2),
        (LandscapeFilter(eu_cn=True), 3),
        (LandscapeFilter(eu_cn=False), 4),
        (LandscapeFilter(pm_relevant=True), 2),
        (LandscapeFilter(pm_relevant=True, region="CN", year_from=2021), 1),
    ],
)
def test_every_facet_filters(tagged, flt: LandscapeFilter, total: int) -> None:
    rows = output_by_year_region(tagged, flt, regions=["EU27"])
    assert sum(r.works for r in rows if r.region == "ALL") == total


def test_bad_filters_and_regions(tagged) -> None:
    with pytest.raises(LandscapeError, match="'kind'"):
        LandscapeFilter(kind="book")
    with pytest.raises(LandscapeError, match="'year_from'"):
        LandscapeFilter(year_from=2022, year_to=2020)
    with pytest.raises(LandscapeError, match="unknown region MARS"):
        compute_indicators(tagged, regions=["MARS"])


def test_untagged_corpus_says_so(corpus) -> None:
    with pytest.raises(LandscapeError, match="permed tag"):
        compute_indicators(corpus)


def test_compute_indicators_defaults_to_every_tagged_region(tagged) -> None:
    result = compute_indicators(tagged)
    assert result.regions == ("AFRICA", "CN", "EEA_UK_CH", "EU27", "ICPERMED", "LAC")
    assert set(result.tables()) == {
        "output",
        "copublications",
        "institutions",
        "countries",
        "topics",
        "topic_trends",
        "patents",
        "top_cited",
    }


def test_cli_indicators_csv_json_and_table(corpus_file, tmp_path) -> None:
    runner = CliRunner()
    out = tmp_path / "ind.csv"
    result = runner.invoke(
        app,
        ["indicators", "--format", "csv", "--out", str(out), "--region", "EU27", "--region", "CN"],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    copubs = [r for r in rows if r["indicator"] == "copublications"]
    assert [(r["year"], r["eu_cn"], r["share_of_eu"]) for r in copubs] == [
        ("2020", "1", "1.0"),
        ("2021", "1", "0.5"),
    ]
    result = runner.invoke(
        app,
        ["indicators", "--format", "json", "--from-year", "2021", "--indicator", "copublications"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["copublications"] == [
        {
            "year": 2021,
            "eu_cn": 1,
            "eu_total": 2,
            "cn_total": 2,
            "share_of_eu": 0.5,
            "share_of_cn": 0.5,
        }
    ]
    assert data["filter"]["year_from"] == 2021
    result = runner.invoke(app, ["indicators", "--region", "EU27", "--indicator", "institutions"])
    assert result.exit_code == 0, result.output
    assert "Charité" in result.output


@pytest.mark.parametrize(
    "flt", [LandscapeFilter(), LandscapeFilter(year_from=2021), LandscapeFilter(kind="publication")]
)
def test_mix_summed_from_trends_equals_the_direct_query(tagged, flt: LandscapeFilter) -> None:
    regions = ["EU27", "CN", "ICPERMED"]
    assert compute_indicators(tagged, flt, regions=regions).topics == topic_mix(
        tagged, flt, regions=regions
    )


def test_cli_retags_a_corpus_missing_derived_tables(corpus_file) -> None:
    import duckdb

    runner = CliRunner()
    assert runner.invoke(app, ["tag"]).exit_code == 0
    with duckdb.connect(str(corpus_file)) as connection:
        connection.execute("DROP TABLE work_institutions")
    result = runner.invoke(app, ["indicators", "--indicator", "institutions", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["institutions"][0]["institution"] == "University of Hong Kong"


def test_cli_indicators_out_that_fails_keeps_the_old_file_and_leaves_no_half_file(
    corpus_file, tmp_path, monkeypatch
) -> None:
    out = tmp_path / "ind.csv"
    out.write_text("old export\n", encoding="utf-8")
    real_write_text = Path.write_text

    def disk_full(self, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        real_write_text(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device", str(self))

    with monkeypatch.context() as patch:
        patch.setattr(Path, "write_text", disk_full)
        result = CliRunner().invoke(app, ["indicators", "--format", "csv", "--out", str(out)])
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == "old export\n"
    refused = tmp_path / "dir.csv"
    refused.mkdir()
    result = CliRunner().invoke(app, ["indicators", "--format", "csv", "--out", str(refused)])
    assert result.exit_code != 0 and str(result.exception).startswith(f"{refused}: ")
    assert sorted(p.name for p in tmp_path.glob("*.csv*")) == ["dir.csv", "ind.csv"]
