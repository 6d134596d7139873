from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from permed_atlas.landscape.errors import RegionError, TaggingRuleError
from permed_atlas.landscape.regions import load_region_sets
from permed_atlas.landscape.store import tagging
from permed_atlas.landscape.store.tagging import needs_tagging, tag_corpus, tag_untagged
from permed_atlas.landscape.topics import load_rules
from permed_atlas.settings import Settings


def _rows(connection: duckdb.DuckDBPyConnection, table: str) -> list[tuple[object, ...]]:
    return connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def test_flags_countries_and_regions_of_the_hand_made_corpus(corpus, region_sets, rules) -> None:
    summary = tag_corpus(corpus, regions=region_sets, rules=rules)
    assert _rows(corpus, "work_flags") == [
        (1, True, True),
        (2, False, False),
        (3, False, False),
        (4, True, True),
        (5, False, False),
        (6, False, True),
        (7, False, False),
    ]
    assert (summary.works, summary.pm_relevant, summary.eu_cn) == (7, 2, 3)
    assert corpus.execute(
        "SELECT list(country_code ORDER BY country_code) FROM work_countries WHERE work_id = 7"
    ).fetchone() == (["HK", "US"],)
    regions = dict(
        corpus.execute(
            "SELECT work_id, list(region ORDER BY region) FROM work_regions GROUP BY work_id"
        ).fetchall()
    )
    assert regions[1] == ["CN", "EEA_UK_CH", "EU27", "ICPERMED"]
    assert regions[2] == ["CN"]
    assert regions[7] == ["CN"]  # through Hong Kong
    assert 5 not in regions


def test_topics_name_the_rule_that_fired(tagged) -> None:
    topics = set(tagged.execute("SELECT work_id, topic, rule_id FROM work_topics").fetchall())
    assert (1, "pm", "pm-mesh-precision-medicine") in topics
    assert (1, "pm", "pm-kw-precision-medicine") in topics
    assert (1, "oncology", "onc-kw-cancer") in topics
    assert (2, "tcm", "tcm-mesh") in topics and (2, "tcm", "tcm-kw") in topics
    assert (3, "ai_data", "ai-kw") in topics and (3, "cardiovascular", "cv-kw") in topics
    assert (4, "pharmacogenomics", "pgx-kw") in topics and (
        4,
        "pm",
        "pm-kw-pharmacogenomics",
    ) in topics
    assert (6, "oncology", "onc-cpc-cancer-markers") in topics
    assert (7, "rare_diseases", "rare-concept-topic") in topics
    assert not [row for row in topics if row[0] == 5]


def test_without_hk_mo_a_hong_kong_work_is_not_chinese(corpus, rules, tmp_path: Path) -> None:
    regions = load_region_sets(Settings(data_dir=tmp_path, include_hk_mo_in_china=False))
    tag_corpus(corpus, regions=regions, rules=rules)
    assert corpus.execute("SELECT count(*) FROM work_regions WHERE work_id = 7").fetchone() == (0,)
    assert corpus.execute("SELECT eu_cn FROM work_flags WHERE work_id = 1").fetchone() == (True,)


def test_tagging_twice_gives_the_same_tables(corpus, region_sets, rules) -> None:
    tag_corpus(corpus, regions=region_sets, rules=rules)
    first = {
        t: _rows(corpus, t) for t in ("work_countries", "work_regions", "work_topics", "work_flags")
    }
    tag_corpus(corpus, regions=region_sets, rules=rules)
    tag_corpus(corpus, regions=region_sets, rules=rules, work_ids=[1, 4])
    second = {t: _rows(corpus, t) for t in first}
    assert first == second


def test_subset_and_untagged_only(corpus, region_sets, rules, monkeypatch) -> None:
    # the scoped path, even for most of this small corpus (see the test after the next)
    monkeypatch.setattr(tagging, "FULL_TAGGING_SHARE", float("inf"))
    assert needs_tagging(corpus)
    tag_corpus(corpus, regions=region_sets, rules=rules, work_ids=[2])
    assert _rows(corpus, "work_flags") == [(2, False, False)]
    summary = tag_untagged(corpus, regions=region_sets, rules=rules)
    assert summary is not None and summary.works == 6
    assert not needs_tagging(corpus)
    assert tag_untagged(corpus, regions=region_sets, rules=rules) is None
    corpus.execute(
        "INSERT INTO works (work_id, kind, sources, title, year) "
        "VALUES (8, 'publication', ['openalex'], 'Companion diagnostics for HER2', 2022)"
    )
    assert needs_tagging(corpus)
    summary = tag_untagged(corpus, regions=region_sets, rules=rules)
    assert summary is not None and summary.works == 1 and summary.pm_relevant == 1


def test_most_of_the_corpus_untagged_is_tagged_in_full(corpus, region_sets, rules) -> None:
    # A first ingest or a large update: the whole corpus is retagged (summary.works counts
    # every work), as a scoped tagging of millions of works needed more memory than the cap.
    tag_corpus(corpus, regions=region_sets, rules=rules, work_ids=[2, 3, 4, 5])
    corpus.execute("DELETE FROM work_flags WHERE work_id IN (2, 3, 4)")  # 6 of 7 now pending
    summary = tag_untagged(corpus, regions=region_sets, rules=rules)
    assert summary is not None and summary.works == 7
    corpus.execute("DELETE FROM work_flags WHERE work_id = 5")  # 1 of 7: only that one
    summary = tag_untagged(corpus, regions=region_sets, rules=rules)
    assert summary is not None and summary.works == 1


def test_first_tagging_of_untagged_works_equals_tagging_the_whole_corpus(
    corpus, region_sets, rules, monkeypatch
) -> None:
    # The first ingest leaves every work untagged; the scoped path (forced here: a real
    # first ingest goes in full) names them with a query inside DuckDB (no id list), and
    # updates the summary tables by delta from nothing.
    monkeypatch.setattr(tagging, "FULL_TAGGING_SHARE", float("inf"))
    summary = tag_untagged(corpus, regions=region_sets, rules=rules)
    assert summary is not None and summary.works == 7
    tables = (
        "work_countries",
        "work_regions",
        "work_topics",
        "work_flags",
        "work_topic_set",
        "work_institutions",
        "agg_work_facts",
        "agg_cells",
        "agg_country_cells",
        "agg_institution_cells",
        "agg_country_pair_cells",
        "agg_country_institution_cells",
        "agg_eu_cn_works",
    )
    by_delta = {table: _rows(corpus, table) for table in tables}
    assert by_delta["agg_cells"] and by_delta["agg_country_pair_cells"]
    tag_corpus(corpus, regions=region_sets, rules=rules)
    assert {table: _rows(corpus, table) for table in tables} == by_delta


def test_missing_eu_or_china_region_is_an_error(corpus, region_sets, rules) -> None:
    without_cn = {code: r for code, r in region_sets.items() if code != "CN"}
    with pytest.raises(RegionError, match="region CN"):
        tag_corpus(corpus, regions=without_cn, rules=rules)


def test_a_rule_duckdb_cannot_run_leaves_old_tags_intact(
    tagged, region_sets, tmp_path: Path
) -> None:
    before = _rows(tagged, "work_topics")
    path = tmp_path / "rules.yaml"
    # Python's re accepts a look-ahead; DuckDB's RE2 does not.
    path.write_text(
        "topics:\n  pm: {label: PM}\nrules:\n"
        "  - {id: ahead, topic: pm, kind: keyword, pattern: 'gene(?=tic)', why: w}\n",
        encoding="utf-8",
    )
    with pytest.raises(TaggingRuleError, match="rules.yaml"):
        tag_corpus(tagged, regions=region_sets, rules=load_rules(path))
    assert _rows(tagged, "work_topics") == before
    assert tagged.execute("SELECT count(*) FROM work_flags").fetchone() == (7,)


def test_tagging_many_works_is_vectorised(region_sets, rules) -> None:
    from permed_atlas.landscape.store.corpus import open_corpus

    connection = open_corpus(":memory:")
    connection.execute(
        "INSERT INTO works (work_id, kind, sources, title, abstract, year) "
        "SELECT i, 'publication', ['demo'], CASE WHEN i % 10 = 0 THEN 'Precision medicine trial' "
        "ELSE 'A study of ' || i END, 'Cancer genome sequencing in patients.', 2000 + i % 25 "
        "FROM range(50000) t(i)"
    )
    connection.execute(
        "INSERT INTO affiliations (work_id, position, country_code) "
        "SELECT i, 1, CASE WHEN i % 2 = 0 THEN 'DE' ELSE 'CN' END FROM range(50000) t(i) "
        "UNION ALL SELECT i, 2, 'FR' FROM range(0, 50000, 3) t(i)"
    )
    summary = tag_corpus(connection, regions=region_sets, rules=rules)
    assert summary.works == 50000
    assert summary.pm_relevant == 5000
    # odd ids are Chinese; those divisible by 3 also have a French author
    assert summary.eu_cn == len([i for i in range(50000) if i % 2 == 1 and i % 3 == 0])
    assert summary.seconds < 20


def test_real_records_are_tagged_consistently(realdata: Path, region_sets, rules) -> None:
    from permed_atlas.landscape.ingest import ingest_files
    from permed_atlas.landscape.store.corpus import open_corpus

    connection = open_corpus(":memory:")
    ingest_files(
        sorted((realdata / "openalex").glob("*.jsonl")), source="openalex", corpus=connection
    )
    ingest_files([realdata / "pubmed" / "pubmed-29768149.xml"], source="pubmed", corpus=connection)
    ingest_files(
        [realdata / "patents" / "lens_biopoly_sample5.jsonl"], source="patents", corpus=connection
    )
    summary = tag_corpus(connection, regions=region_sets, rules=rules)
    works = connection.execute("SELECT count(*) FROM works").fetchone()[0]
    assert summary.works == works > 300
    # every stated ISO country of an affiliation becomes a country tag, and only those
    expected = connection.execute(
        "SELECT count(*) FROM (SELECT DISTINCT work_id, upper(country_code) FROM affiliations "
        "WHERE length(country_code) = 2)"
    ).fetchone()[0]
    assert summary.country_tags == expected > 0
    # the EU-China flag is exactly "has an EU-27 and a Chinese (CN/HK/MO) country"
    eu = ",".join(f"'{c}'" for c in sorted(region_sets["EU27"].countries))
    flagged = connection.execute(
        f"SELECT count(*) FROM (SELECT work_id FROM work_countries GROUP BY work_id HAVING "
        f"bool_or(country_code IN ({eu})) AND bool_or(country_code IN ('CN', 'HK', 'MO')))"
    ).fetchone()[0]
    assert summary.eu_cn == flagged
    # the neuroscience sample is about the brain: every work OpenAlex files under the
    # Neuroscience concept is in the neurology and mental health topic
    missed = connection.execute(
        "SELECT count(*) FROM terms t WHERE t.scheme = 'concept' AND t.term = 'Neuroscience' "
        "AND t.work_id NOT IN (SELECT work_id FROM work_topics "
        "WHERE topic = 'neurology_mental_health')"
    ).fetchone()[0]
    assert missed == 0
    assert (
        connection.execute(
            "SELECT count(DISTINCT work_id) FROM work_topics "
            "WHERE topic = 'neurology_mental_health'"
        ).fetchone()[0]
        >= 19
    )


def test_cli_tag(corpus_file) -> None:
    from typer.testing import CliRunner

    from permed_atlas.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["tag", "--dry-run"])
    assert result.exit_code == 0 and "would tag" in result.output
    result = runner.invoke(app, ["tag"])
    assert result.exit_code == 0, result.output
    assert "tagged 7 works" in result.output and "2 PM-relevant, 3 EU–China" in result.output
    with duckdb.connect(str(corpus_file), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM work_flags").fetchone() == (7,)
