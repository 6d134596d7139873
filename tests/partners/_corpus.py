"""Hand-built corpora for the partner tests: every author, place and word chosen on purpose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from permed_atlas.landscape import load_region_sets, load_rules, open_corpus, tag_corpus
from permed_atlas.settings import Settings

PLACES = {
    "charite": ("I-charite", "Charité Berlin", "DE"),
    # The same institution (same id) as another record spells it.
    "charite_full": ("I-charite", "Charité – Universitätsmedizin Berlin", "DE"),
    "inserm": ("I-inserm", "Inserm", "FR"),
    "peking": ("I-peking", "Peking University", "CN"),
    "fudan": ("I-fudan", "Fudan University", "CN"),
    "sysu": ("I-sysu", "Sun Yat-sen University", "CN"),
    "harvard": ("I-harvard", "Harvard University", "US"),
}


@dataclass(frozen=True)
class Paper:
    """One work: year, title, and its authors as (name, place key, OpenAlex id or None)."""

    year: int
    title: str
    authors: Sequence[tuple[str, str, str | None]]


WARFARIN = "Pharmacogenomics of warfarin dosing: CYP2C9 and VKORC1 variants"
HEART = "Heart failure with preserved ejection fraction: a cardiology registry"
LUNG = "Lung adenocarcinoma EGFR mutation screening"

# Anna Schmidt (EU) works on warfarin pharmacogenomics. In China, Li Wei works on the same,
# Wang Fang already co-authors with Anna, Liu Yang is prolific in cardiology, and Chen Hao
# links Anna's co-author Marc Dubois to Li Wei (so Li Wei is 3 steps from Anna).
FINDER_PAPERS = [
    Paper(
        2019,
        WARFARIN + " in German patients",
        [("Anna Schmidt", "charite", "A1"), ("Marc Dubois", "inserm", "A2")],
    ),
    Paper(2021, WARFARIN + " and bleeding risk", [("Anna Schmidt", "charite", "A1")]),
    Paper(
        2022,
        "VKORC1 genotype guided warfarin anticoagulation",
        [("Anna Schmidt", "charite", "A1"), ("Wang Fang", "fudan", "A3")],
    ),
    Paper(
        2020,
        "CYP2C9 polymorphism and warfarin maintenance dose in Han Chinese",
        [("Li Wei", "peking", "A4")],
    ),
    Paper(
        2023,
        "VKORC1 and CYP2C9 pharmacogenomics for warfarin dosing",
        [("Li Wei", "peking", "A4"), ("Chen Hao", "peking", "A5")],
    ),
    Paper(2018, LUNG, [("Marc Dubois", "inserm", "A2"), ("Chen Hao", "peking", "A5")]),
    *[Paper(2019 + k % 5, f"{HEART} cohort {k}", [("Liu Yang", "sysu", "A6")]) for k in range(8)],
    Paper(2022, WARFARIN + " in American cohorts", [("John Smith", "harvard", "A7")]),
]


def fill(connection: duckdb.DuckDBPyConnection, papers: Sequence[Paper]) -> None:
    """Write ``papers`` as works, contributors and affiliations."""
    for work_id, paper in enumerate(papers, start=1):
        connection.execute(
            "INSERT INTO works (work_id, kind, sources, title, year) VALUES (?, 'publication', "
            "['openalex'], ?, ?)",
            [work_id, paper.title, paper.year],
        )
        for position, (name, place, author_id) in enumerate(paper.authors, start=1):
            inst_id, inst_name, country = PLACES[place]
            connection.execute(
                "INSERT INTO contributors (work_id, position, role, name, author_id) "
                "VALUES (?, ?, 'author', ?, ?)",
                [work_id, position, name, author_id],
            )
            connection.execute(
                "INSERT INTO affiliations (work_id, position, institution_id, institution_name, "
                "country_code) VALUES (?, ?, ?, ?, ?)",
                [work_id, position, inst_id, inst_name, country],
            )


def make_corpus(
    path: Path | str, papers: Sequence[Paper], settings: Settings
) -> duckdb.DuckDBPyConnection:
    """A tagged corpus holding ``papers`` (open, writable)."""
    connection = open_corpus(path)
    fill(connection, papers)
    tag_corpus(connection, regions=load_region_sets(settings), rules=load_rules())
    return connection
