"""Profiles built from real corpora: the 120-work web corpus and the real PubMed sample."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from permed_atlas.landscape import ingest_file, load_region_sets, load_rules, tag_corpus
from permed_atlas.landscape.store.corpus import open_corpus
from permed_atlas.partners import build_profiles, ensure_profiles, profile_of
from permed_atlas.partners.build import PROFILE_TABLES, STAGE_PREFIX
from permed_atlas.settings import Settings

from ._corpus import Paper, make_corpus


@pytest.fixture(scope="module")
def pubmed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    default = Path(__file__).resolve().parents[3] / "shared" / "realdata"
    realdata = Path(os.environ.get("PERMED_REALDATA", default)) / "pubmed"
    folder = tmp_path_factory.mktemp("pubmed")
    settings = Settings(data_dir=folder)
    with open_corpus(settings.corpus_path) as connection:
        ingest_file(realdata / "pubmed21n1298_sample500.xml.gz", source="pubmed", corpus=connection)
        tag_corpus(connection, regions=load_region_sets(settings), rules=load_rules())
        build_profiles(connection)
    return settings.corpus_path


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return connection.execute(sql).fetchall()


def test_real_pubmed_sample_disambiguation(pubmed_corpus: Path) -> None:
    with duckdb.connect(str(pubmed_corpus), read_only=True) as connection:
        authorships = _rows(connection, "SELECT count(*) FROM contributors WHERE name IS NOT NULL")[
            0
        ][0]
        people = _rows(connection, "SELECT rule, count(*) FROM partner_authors GROUP BY 1")
        by_rule = dict(people)
        assert by_rule["orcid"] > 300 and by_rule["name"] > 2500  # PubMed has no OpenAlex ids
        assert sum(by_rule.values()) < authorships  # some people wrote two of the 500 papers
        # Henschke's two papers name her institution differently; her co-author links them.
        henschke = _rows(
            connection,
            "SELECT n_works, institutions FROM partner_authors "
            "WHERE display_name = 'Claudia I Henschke'",
        )
        assert len(henschke) == 1 and henschke[0][0] == 2
        # Three different people called Wei Chen: Shanghai, Hangzhou and Argonne (US).
        chens = _rows(
            connection,
            "SELECT main_country FROM partner_authors WHERE display_name = 'Wei Chen' ORDER BY 1",
        )
        assert [c[0] for c in chens] == ["CN", "CN", "US"]
        # A Rachel Smith in Melbourne and another with an ORCID in Queensland: two people.
        smiths = _rows(
            connection, "SELECT author_key FROM partner_authors WHERE display_name = 'Rachel Smith'"
        )
        assert len(smiths) == 2 and "0000-0002-8903-798X" in {s[0] for s in smiths}
        profile = profile_of(connection, "Claudia I Henschke")
        assert {c.name for c in profile.coauthors} >= {"David F Yankelevitz"}
        assert profile.main_country == "US" and "oncology" in dict(profile.topics)


def test_profiles_of_the_web_corpus(settings: Settings, web_corpus: Path) -> None:
    with open_corpus(web_corpus) as connection:
        summary = build_profiles(connection)
        assert summary.authors == summary.by_name  # no ids in this corpus
        assert summary.authors == 190  # "Person 1-2": a name with digits is compared whole
        first = _rows(
            connection,
            "SELECT display_name, main_country, regions, topics, "
            "institutions, n_works FROM partner_authors "
            "WHERE display_name IN ('Person 1-1', 'Person 1-2') ORDER BY 1",
        )
        assert first[0][:3] == ("Person 1-1", "DE", ["EEA_UK_CH", "EU27", "ICPERMED"])
        assert first[1][:3] == ("Person 1-2", "CN", ["CN"])
        assert set(first[1][3]) == {"omics_genomics", "oncology"}  # the lung cancer WGS paper
        assert first[1][4] and first[1][5] == 1
        years = _rows(
            connection,
            "SELECT y.year, y.n_works FROM partner_author_years y JOIN "
            "partner_authors a USING (author_key) "
            "WHERE a.display_name = 'Person 1-1'",
        )
        assert years == [(2001, 1)]
        # Rebuilding an unchanged corpus is skipped; a forced rebuild gives the same tables.
        assert ensure_profiles(connection) is None
        again = build_profiles(connection)
        assert (again.authors, again.state) == (summary.authors, summary.state)
        left = _rows(
            connection,
            f"SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '{STAGE_PREFIX}%'",
        )
        assert left == [(0,)]
        assert {t for (t,) in _rows(connection, "SELECT table_name FROM duckdb_tables()")} >= set(
            PROFILE_TABLES
        )


def test_a_failed_build_keeps_the_old_profiles(settings: Settings, web_corpus: Path) -> None:
    with open_corpus(web_corpus) as connection:
        build_profiles(connection)
        before = _rows(connection, "SELECT count(*) FROM partner_authors")
        connection.execute("DROP TABLE work_topic_set")
        connection.execute("CREATE TABLE work_topic_set (work_id BIGINT, wrong INTEGER)")
        with pytest.raises(Exception, match="topic"):
            build_profiles(connection)
        assert _rows(connection, "SELECT count(*) FROM partner_authors") == before


def test_an_author_spelt_two_ways_equally_often_gets_one_name_whatever_the_order(
    settings: Settings, tmp_path: Path
) -> None:
    # One OpenAlex author and one institution id, each spelt two ways once: a tie that the
    # order the records were read in used to break, so two builds could name them apart.
    papers = [
        Paper(2020, "Warfarin dosing by CYP2C9 genotype", [("A Schmidt", "charite", "A1")]),
        Paper(2021, "VKORC1 and warfarin", [("Anna Schmidt", "charite_full", "A1")]),
    ]
    seen = set()
    for order, written in (("forward", papers), ("backward", papers[::-1])):
        with make_corpus(tmp_path / f"{order}.duckdb", written, settings) as connection:
            build_profiles(connection)
            rows = _rows(connection, "SELECT display_name, institutions FROM partner_authors")
            assert len(rows) == 1
            seen.add((rows[0][0], tuple(rows[0][1])))
    # The fullest spelling of each, the same from both orders.
    assert seen == {("Anna Schmidt", ("Charité – Universitätsmedizin Berlin",))}
