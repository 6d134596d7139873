"""Ranking on a hand-built corpus: the expected partner first, the co-author left out."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from permed_atlas.partners import (
    InvalidQueryError,
    PartnerQuery,
    UnknownAuthorError,
    UnknownInstitutionError,
    UnknownTopicError,
    build_profiles,
    find_partners,
    load_index,
)
from permed_atlas.partners.index import PartnerIndex
from permed_atlas.partners.store import region_countries, topic_labels
from permed_atlas.settings import Settings

from ._corpus import FINDER_PAPERS, make_corpus


@pytest.fixture(scope="module")
def finder_setup(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, PartnerIndex, Settings]]:
    folder = tmp_path_factory.mktemp("finder")
    settings = Settings(data_dir=folder)
    connection = make_corpus(settings.corpus_path, FINDER_PAPERS, settings)
    build_profiles(connection)
    yield connection, load_index(connection), settings
    connection.close()


def _find(
    setup: tuple[duckdb.DuckDBPyConnection, PartnerIndex, Settings],
    kind: str,
    value: str,
    **options: object,
):  # type: ignore[no-untyped-def]
    _, index, settings = setup
    return find_partners(
        index,
        PartnerQuery(kind, value, **options),  # type: ignore[arg-type]
        regions=region_countries(settings),
        topic_labels=topic_labels(settings),
    )


def test_expected_partner_first_and_coauthor_excluded(finder_setup) -> None:  # type: ignore[no-untyped-def]
    result = _find(finder_setup, "author", "A1")
    names = [m.name for m in result.matches]
    assert result.searched_region == "CN"
    assert names[0] == "Li Wei"
    assert "Wang Fang" not in names  # already co-authors with Anna Schmidt
    assert "John Smith" not in names  # the US is not the other region
    best = result.matches[0]
    assert {"warfarin", "cyp2c9", "vkorc1"} & set(best.shared_terms)
    assert best.distance == 3 and best.path == ("Anna Schmidt", "Marc Dubois", "Chen Hao", "Li Wei")
    kinds = {r.kind for r in best.reasons}
    assert {"similarity", "terms", "activity", "network", "place"} <= kinds
    network = next(r.text for r in best.reasons if r.kind == "network")
    assert "via Marc Dubois and Chen Hao" in network
    assert best.institution == "Peking University" and best.country_code == "CN"
    assert best.score == pytest.approx(
        0.6 * best.similarity / best.similarity + 0.25 * best.activity + 0.15 * 0.5, abs=1e-3
    )


def test_included_coauthor_is_down_weighted(finder_setup) -> None:  # type: ignore[no-untyped-def]
    result = _find(finder_setup, "author", "A1", include_coauthors=True)
    by_name = {m.name: m for m in result.matches}
    assert by_name["Wang Fang"].distance == 1
    assert by_name["Wang Fang"].rank > by_name["Li Wei"].rank
    assert "already a co-author" in " ".join(r.text for r in by_name["Wang Fang"].reasons)


def test_chinese_author_gets_european_partners(finder_setup) -> None:  # type: ignore[no-untyped-def]
    result = _find(finder_setup, "author", "Li Wei")
    assert result.searched_region == "EU27"
    assert result.matches[0].name == "Anna Schmidt"


def test_text_institution_and_topic_queries(finder_setup) -> None:  # type: ignore[no-untyped-def]
    text = _find(finder_setup, "text", "We plan a warfarin pharmacogenomics trial on CYP2C9.")
    assert text.matches[0].name in {"Li Wei", "Wang Fang"}
    assert all(m.country_code == "CN" for m in text.matches)
    assert "Liu Yang" not in [m.name for m in text.matches]  # shares no term
    place = _find(finder_setup, "institution", "Charité")
    assert place.description.startswith("institution Charité Berlin")
    assert "Li Wei" in [m.name for m in place.matches]
    topic = _find(finder_setup, "topic", "cardiovascular")
    assert topic.matches[0].name == "Liu Yang"
    assert "Cardiovascular" in topic.matches[0].shared_topics
    nothing = _find(finder_setup, "text", "zebra quantum origami")
    assert nothing.matches == () and "no word" in (nothing.note or "")


def test_a_known_topic_nobody_works_on_says_so(finder_setup) -> None:  # type: ignore[no-untyped-def]
    # "biobanks" is a tagging topic, but no work of this corpus carries it; the note used
    # to blame the query's words ("no word of the query appears"), which a topic has none of
    result = _find(finder_setup, "topic", "biobanks")
    assert result.matches == ()
    assert result.note == "no researcher has works tagged with the topic Biobanks"


@pytest.mark.parametrize(
    ("kind", "value", "options", "error"),
    [
        ("author", "A404", {}, UnknownAuthorError),
        ("institution", "Nowhere Polytechnic", {}, UnknownInstitutionError),
        ("topic", "astrology", {}, UnknownTopicError),
        ("text", "   ", {}, InvalidQueryError),
        ("text", "warfarin", {"limit": 0}, InvalidQueryError),
        ("text", "warfarin", {"limit": 201}, InvalidQueryError),
        ("text", "warfarin", {"to_region": "MARS"}, InvalidQueryError),
        ("text", "warfarin", {"to_region": "EU27"}, InvalidQueryError),
    ],
)
def test_bad_queries_name_the_problem(finder_setup, kind, value, options, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error):
        _find(finder_setup, kind, value, **options)


def test_any_two_region_sets(finder_setup) -> None:  # type: ignore[no-untyped-def]
    result = _find(
        finder_setup, "text", "warfarin dosing CYP2C9", from_region="CN", to_region="EU27"
    )
    assert {m.name for m in result.matches} <= {"Anna Schmidt", "Marc Dubois"}
    assert result.matches[0].name == "Anna Schmidt"
