"""Snapshot-like mixes (few PM works among works of other fields) and the PM pre-filter on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permed_atlas.demo import generate_openalex_works, write_openalex_jsonl
from permed_atlas.demo._other_fields import is_pm_work
from permed_atlas.landscape import (
    ingest_file,
    load_rules,
    open_corpus,
    rebuild_abstract,
    rules_path_for,
)
from permed_atlas.sources.parquet_ingest import ingest_parquet
from permed_atlas.sources.parquet_sql import (
    LONG_S,
    keyword_candidates_sql,
    marks_sql,
    pm_keywords_sql,
)
from permed_atlas.sources.parquet_write import write_works_parquet
from permed_atlas.sources.regex_words import Requirement, one_word_of, requirement

from .test_parquet_ingest import TABLES, _content, _with_index_texts

N = 400
SHARE = 0.1


def _short(work: dict[str, Any]) -> str:
    return str(work["id"]).rpartition("/")[2]


def _pm_ids(path: Path, rules: Any, tmp_path: Path) -> set[str]:
    """The works tagging's own PM rules keep from a JSON Lines file (the JSON Lines filter)."""
    with open_corpus(tmp_path / f"{path.stem}.duckdb") as corpus:
        ingest_file(path, source="openalex", corpus=corpus, pm_rules=rules)
        return {row[0] for row in corpus.execute("SELECT openalex_id FROM works").fetchall()}


def test_a_mix_holds_works_the_pm_rules_reject_and_works_they_accept(tmp_path: Path) -> None:
    works = list(generate_openalex_works(N, seed=3, pm_share=SHARE))
    plain = list(generate_openalex_works(N, seed=3))
    pm_indexes = [i for i in range(N) if is_pm_work(i, SHARE)]
    assert len(pm_indexes) == N * SHARE
    # The PM works of a mix are the demo works of the same seed; the others keep their ids
    # and authors but are about another field, with no MeSH terms.
    assert [works[i] for i in pm_indexes] == [plain[i] for i in pm_indexes]
    others = [w for i, w in enumerate(works) if i not in pm_indexes]
    assert all(w["mesh"] == [] for w in others)
    assert {_short(w) for w in works} == {_short(w) for w in plain}
    assert len({w["topics"][0]["field"]["display_name"] for w in others}) >= 4
    path = tmp_path / "mix.jsonl"
    assert write_openalex_jsonl(path, N, seed=3, pm_share=SHARE) == N
    assert [orjson.loads(line) for line in path.read_bytes().splitlines()] == works
    kept = _pm_ids(path, load_rules(rules_path_for(tmp_path)), tmp_path)
    # Every work of another field is rejected; most demo works are accepted (a PM phrase,
    # a PM MeSH heading, concept or topic), not all of them.
    assert kept <= {_short(works[i]) for i in pm_indexes}
    assert len(pm_indexes) // 2 < len(kept) < len(pm_indexes)


def test_the_same_seed_writes_the_same_mix(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    write_openalex_jsonl(a, 3000, seed=1, pm_share=0.05, workers=2)
    write_openalex_jsonl(b, 3000, seed=1, pm_share=0.05, workers=1)
    assert a.read_bytes() == b.read_bytes()


def test_both_paths_store_the_same_pm_works_of_a_mixed_file(tmp_path: Path) -> None:
    works = list(generate_openalex_works(N, seed=5, pm_share=SHARE))
    jsonl, parquet = tmp_path / "mix.jsonl", tmp_path / "mix.parquet"
    jsonl.write_bytes(b"".join(orjson.dumps(w) + b"\n" for w in works))
    write_works_parquet(works, parquet)
    rules = load_rules(rules_path_for(tmp_path))
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        by_lines = ingest_file(jsonl, source="openalex", corpus=a, pm_rules=rules)
        by_parquet = ingest_parquet([parquet], corpus=b, pm_rules=rules, batch_size=16)
        expected, got = _content(a), _content(b)
        abstracts = [
            c.execute("SELECT openalex_id, abstract FROM works ORDER BY 1").fetchall()
            for c in (a, b)
        ]
    assert by_parquet.scanned == by_lines.read == N
    assert 0 < by_parquet.stored == by_lines.stored <= N * SHARE
    assert by_lines.skipped == N - by_lines.stored
    for table in TABLES:
        assert got[table] == expected[table], table
    # Works kept by a term rule have their abstract rebuilt beside the inserts, those kept by
    # a keyword rule in the scan: both as the JSON Lines path rebuilds it.
    assert abstracts[0] == abstracts[1]
    assert sum(1 for _, text in abstracts[0] if text) > 10


# (title, abstract index as JSON text): the pre-filter skips rebuilding an abstract when the
# title and the JSON text hold none of the words a keyword rule needs; these must still be
# judged as the JSON Lines path judges them.
PREFILTER_CASES = [
    ("Outcomes in lung cancer", '{"\\u0070harmacogenomics":[0]}'),  # an escaped letter
    ("Outcomes in lung cancer", '{"pre":[0],"cision":[1],"medicine":[2]}'),  # not the word
    ("A study of precision", '{"medicine":[0],"in":[1],"practice":[2]}'),  # across title/abstract
    ("Outcomes in lung cancer", '{"\\u017ftratified":[0],"oncology":[1]}'),  # long s, escaped
    ("Outcomes in lung cancer", '{"ſtratified":[0],"oncology":[1]}'),  # long s, as it is
    ("Outcomes in lung cancer", '{"PHARMACOGENOMICS":[0]}'),
    ("Outcomes in lung cancer", '{"pharmaco":[0],"genomics":[1]}'),
    ("Tailored-therapy in practice", None),  # the title alone
    ("Outcomes in lung cancer", '{"companion":[0],"diagnostics":[1]}'),
    ("Outcomes in lung cancer", '{"soil":[0],"carbon":[1]}'),
]


def test_the_keyword_prefilter_keeps_what_the_rules_keep(tmp_path: Path) -> None:
    # Works of another field (no PM term), each given one of the titles and abstracts above.
    records = list(generate_openalex_works(40, seed=9, pm_share=0.0))[: len(PREFILTER_CASES)]
    for record, (title, _) in zip(records, PREFILTER_CASES, strict=True):
        record.update(title=title, display_name=title)
    texts = [text for _, text in PREFILTER_CASES]
    jsonl, part = _with_index_texts(records, texts, tmp_path / "cases")
    rules = load_rules(rules_path_for(tmp_path))
    with open_corpus(tmp_path / "a.duckdb") as a, open_corpus(tmp_path / "b.duckdb") as b:
        ingest_file(jsonl, source="openalex", corpus=a, pm_rules=rules)
        ingest_parquet([part], corpus=b, pm_rules=rules)
        expected, got = _content(a), _content(b)
        kept = {row[0] for row in a.execute("SELECT openalex_id FROM works").fetchall()}
    for table_name in TABLES:
        assert got[table_name] == expected[table_name], table_name
    case_of = {_short(record): k for k, record in enumerate(records)}
    kept_cases = {case_of[work] for work in kept}
    assert {0, 2, 5, 7, 8} <= kept_cases
    assert not {1, 6, 9} & kept_cases


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\bpharmacogen(omic|etic)s?\b", {"pharmacogen", "omic", "etic"}),
        # Python's parser takes the common "p" out of the branch (a lone "p" is not tested).
        (
            r"\b(precision|personali[sz]ed)[ -](medicine|care)\b",
            {"recision", "ersonali", "ed", "medicine", "care"},
        ),
        (r"(?i)P4 medicine", {"p4", "medicine"}),
        (r"\bn-of-1 trials?\b", {"n-of-1", "trial"}),  # a hyphen is a word's character
        (r"x{2,3}yz", {"yz"}),  # the "x" of the repeat is one letter: not tested
        (r"ab+c", {"a"}),  # runs end at a repeat; of equal one-letter words the first
        (r"a?", None),  # matches the empty string: no word is needed
        (r"foo|", None),
        (r"(foo)*", None),
        (r"[ab]", None),
        (r"(", None),  # not a regex: no pre-check
    ],
)
def test_the_words_a_pattern_needs(pattern: str, words: set[str] | None) -> None:
    need = requirement(pattern)
    assert (need.words() if need is not None else None) == (
        frozenset(words) if words is not None else None
    )


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\bpharmacogen(omic|etic)s?\b", {"pharmacogen"}),
        (r"\b(precision|personali[sz]ed)[ -](medicine|care)\b", {"recision", "ersonali"}),
        (r"companion diagnostics?", {"diagnostic"}),  # the longer word rules out more
        (r"(?i)P4 medicine", {"medicine"}),
        (r"\bn-of-1 trials?\b", {"n-of-1"}),
    ],
)
def test_one_word_of_a_condition(pattern: str, words: set[str]) -> None:
    need = requirement(pattern)
    assert need is not None and one_word_of(need) == frozenset(words)


def _word(word: str) -> Requirement:
    return Requirement("word", word=word)


@pytest.mark.parametrize(
    ("pattern", "need"),
    [
        (
            r"companion diagnostics?",
            Requirement("all", parts=(_word("companion"), _word("diagnostic"))),
        ),
        (
            r"(genomic|P4) medicine",
            Requirement(
                "all",
                parts=(
                    Requirement("any", parts=(_word("genomic"), _word("p4"))),
                    _word("medicine"),
                ),
            ),
        ),
        # Each branch keeps its own condition: "risk score" alone is not enough.
        (
            r"n-of-1 trial|polygenic risk score",
            Requirement(
                "any",
                parts=(
                    Requirement("all", parts=(_word("n-of-1"), _word("trial"))),
                    Requirement("all", parts=(_word("polygenic"), _word("risk"), _word("score"))),
                ),
            ),
        ),
        (r"a b medicine", _word("medicine")),  # one-letter words are not tested
        (r"precision|x?", None),
    ],
)
def test_requirement(pattern: str, need: Requirement | None) -> None:
    assert requirement(pattern) == need


_VOCABULARY = [
    "precision", "Precision", "medicine", "MEDICINE", "oncology", "personalised", "personalized",
    "targeted", "therapy", "therapies", "drug", "agents", "molecularly", "genotype", "guided",
    "biomarker-driven", "companion", "diagnostics", "pharmacogenetics", "pharmacogenomic",
    "n-of-1", "trials", "P4", "genomic", "polygenic", "risk", "scores", "health", "care",
    "healthcare", "the", "of", "a", "[sic]", "tailored", "nutrition", "stratified", "ſtratified",
    "co-therapy", "precision-medicine", "genotype-guided", "targeted-therapy", "bioma\u212arker",
    "PHARMACOGENOMICS", "companion-diagnostic", "ed", "risk-scores",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.lists(st.sampled_from(_VOCABULARY), max_size=4),
    abstract=st.lists(st.sampled_from(_VOCABULARY), max_size=8),
)
def test_the_keyword_prefilter_never_drops_a_work_a_keyword_rule_marks(
    title: list[str], abstract: list[str]
) -> None:
    # The pre-check reads the title and the index's JSON text; the rules read the title and
    # the rebuilt abstract. Whatever words stand where, a work a rule marks must pass.
    rules = load_rules()
    index: dict[str, list[int]] = {}
    for position, word in enumerate(abstract):
        index.setdefault(word, []).append(position)
    text = orjson.dumps(index).decode() if index else None
    rebuilt = rebuild_abstract(index) if index else None
    with duckdb.connect() as connection:
        connection.execute(
            "CREATE TABLE t AS SELECT ?::VARCHAR AS _title, ?::VARCHAR AS abstract_inverted_index, "
            "?::VARCHAR AS _abstract",
            [" ".join(title), text, rebuilt],
        )
        marks = f"SELECT *, {marks_sql(rules)} AS _marked FROM t"
        passes, marked = connection.execute(
            f"SELECT _maybe_keyword, {pm_keywords_sql(rules)} "
            f"FROM ({keyword_candidates_sql(marks, rules)})"
        ).fetchall()[0]
    assert passes or not marked, (title, abstract)


def test_every_bundled_keyword_rule_has_a_word_condition() -> None:
    # Without a condition for a rule the pre-check is off and every abstract is rebuilt
    # (correct, but the speed of a PM slice depends on it).
    for rule in load_rules().rules:
        if rule.kind == "keyword":
            assert requirement(rule.pattern) is not None, rule.id


def test_long_s_is_the_one_character_lower_case_misses_for_a_word_character() -> None:
    # The pre-check compares words by ``contains`` on a lower-case copy, the rules by
    # case-blind regexes: a character the regexes take for a word's character but ``lower``
    # does not turn into it must make a row a candidate, and LONG_S is the only one.
    # One class per code point, not one regex per (code point, word character): 1.1M
    # matches instead of 41M (minutes under load). No character folds to two of them.
    word_characters = "abcdefghijklmnopqrstuvwxyz0123456789-"
    with duckdb.connect() as connection:
        missed = connection.execute(
            # two ranges, not one filtered: the filter on c may run before one on i would
            "SELECT c FROM (SELECT chr(i::INTEGER) AS c FROM (SELECT * FROM range(128, 55296) "
            "UNION ALL SELECT * FROM range(57344, 1114112)) t(i)) "
            "WHERE regexp_matches(c, $word_class, 'i') "
            "AND NOT contains($word_characters, lower(c))",
            {"word_class": "^[a-z0-9-]$", "word_characters": word_characters},
        ).fetchall()
    assert missed == [(LONG_S,)]
