"""The hold-out evaluation on a tiny case whose answer is known."""

from __future__ import annotations

from pathlib import Path

from permed_atlas.partners import evaluate_holdout, recall_at_k
from permed_atlas.partners.store import region_countries, topic_labels
from permed_atlas.settings import Settings

from ._corpus import Paper, make_corpus

# Up to 2015 Anna (EU) and Li (CN) both work on warfarin pharmacogenomics; Liu (CN) is far
# more prolific, in cardiology. In 2018 Anna and Li write their first paper together.
PAPERS = [
    Paper(2012, "Warfarin dosing and CYP2C9 pharmacogenomics", [("Anna Schmidt", "charite", "A1")]),
    Paper(2014, "VKORC1 variants and warfarin response", [("Anna Schmidt", "charite", "A1")]),
    Paper(
        2013, "CYP2C9 genotype and warfarin dose in Chinese patients", [("Li Wei", "peking", "A4")]
    ),
    *[
        Paper(2010 + k, f"Heart failure registry report {k}", [("Liu Yang", "sysu", "A6")])
        for k in range(6)
    ],
    Paper(
        2018,
        "A joint warfarin pharmacogenomics trial",
        [("Anna Schmidt", "charite", "A1"), ("Li Wei", "peking", "A4")],
    ),
]


def test_recall_at_k() -> None:
    assert recall_at_k(["a", "b", "c"], {"b", "z"}, k=2) == 0.5
    assert recall_at_k(["a"], set(), k=5) == 0.0


def test_finder_beats_popularity_on_a_known_case(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with make_corpus(settings.corpus_path, PAPERS, settings) as connection:
        result = evaluate_holdout(
            connection,
            split_year=2015,
            k=1,
            regions=region_countries(settings),
            topic_labels=topic_labels(settings),
        )
        staged = connection.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_pstage_%'"
        ).fetchall()
    assert result.queries == 2 and result.truth_pairs == 2  # Anna -> Li and Li -> Anna
    assert result.recall["tfidf"] == 1.0
    assert result.recall["popularity"] == 0.5  # Liu is the most prolific for Anna; Li's only
    assert result.recall["random"] == 1.0 or result.mean_candidates >= 1
    assert staged == [(0,)]
