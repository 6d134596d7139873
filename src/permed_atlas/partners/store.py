"""Read profiles back from the corpus and run the finder on them.

The profile tables live in the DuckDB corpus (see :mod:`build`); this module
turns their rows into :class:`AuthorProfile` and wires the finder to the
region sets, the topic labels and, when asked, the embeddings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

from permed_atlas.i18n import with_translations
from permed_atlas.partners.finder import ProfileEmbeddings, find_partners
from permed_atlas.partners.index import PartnerIndex, load_index
from permed_atlas.partners.models import (
    AuthoredWork,
    AuthorProfile,
    Coauthor,
    FinderResult,
    InstitutionShare,
    Method,
    PartnerQuery,
    Weights,
)
from permed_atlas.settings import Settings

__all__ = [
    "embeddings_for",
    "find_in_corpus",
    "profile_of",
    "profiles_summary",
    "region_countries",
    "result_to_dict",
    "topic_labels",
]

MAX_COAUTHORS = 50
MAX_WORKS = 500  # a profile page lists at most this many works, newest first


def region_countries(settings: Settings) -> dict[str, frozenset[str]]:
    """The countries of every region set (bundled and the user's).

    :param settings: gives the data directory.
    """
    from permed_atlas.landscape import load_region_sets

    return {code: region.countries for code, region in load_region_sets(settings).items()}


def topic_labels(settings: Settings) -> dict[str, str]:
    """The label of every subject topic of the tagging rules in force: English as a ``str``
    (the API, the CLI), with its Chinese where a page shows it.

    :param settings: gives the data directory (a user's rules file wins).
    """
    from permed_atlas.landscape import load_rules, rules_path_for

    rules = load_rules(rules_path_for(settings.data_dir))
    return {
        topic.code: with_translations(topic.label, {"zh": topic.label_zh})
        for topic in rules.subject_topics
    }


def profiles_summary(connection: duckdb.DuckDBPyConnection) -> dict[str, str] | None:
    """The build's metadata (state, date, counts), or None when profiles were never built.

    :param connection: a corpus connection.
    """
    found = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'partner_meta'"
    ).fetchall()
    if not found[0][0]:
        return None
    return {
        str(k): str(v)
        for k, v in connection.execute("SELECT key, value FROM partner_meta").fetchall()
    }


def profile_of(
    connection: duckdb.DuckDBPyConnection, value: str, *, labels: dict[str, str] | None = None
) -> AuthorProfile:
    """The profile of an author by profile key, OpenAlex id, ORCID or full name.

    :param connection: a corpus connection with built profiles.
    :param value: what identifies the author.
    :param labels: topic labels to show instead of codes.
    """
    index = load_index(connection)
    key = index.keys[index.author_row(value)]
    labels = labels or {}
    head = connection.execute(
        "SELECT author_key, display_name, openalex_id, orcid, rule, n_works, first_year, "
        "last_year, main_country, countries, regions, topics FROM partner_authors "
        "WHERE author_key = ?",
        [key],
    ).fetchall()[0]
    places = connection.execute(
        "SELECT institution_key, institution_name, country_code, n_works, institution_id "
        "FROM partner_author_institutions WHERE author_key = ? "
        "ORDER BY n_works DESC, institution_name",
        [key],
    ).fetchall()
    topic_rows = connection.execute(
        "SELECT topic, n_works FROM partner_author_topics WHERE author_key = ? "
        "ORDER BY n_works DESC, topic",
        [key],
    ).fetchall()
    terms = connection.execute(
        "SELECT term, weight FROM partner_author_terms WHERE author_key = ? "
        "ORDER BY weight DESC, term LIMIT 15",
        [key],
    ).fetchall()
    years = connection.execute(
        "SELECT year, n_works FROM partner_author_years WHERE author_key = ? ORDER BY year", [key]
    ).fetchall()
    coauthors = connection.execute(
        "SELECT c.coauthor_key, a.display_name, c.n_works, c.first_year, a.main_country "
        "FROM partner_coauthors c JOIN partner_authors a ON a.author_key = c.coauthor_key "
        "WHERE c.author_key = ? ORDER BY c.n_works DESC, a.display_name LIMIT ?",
        [key, MAX_COAUTHORS],
    ).fetchall()
    works = connection.execute(
        "SELECT w.work_id, coalesce(w.title, '(untitled)'), a.year FROM partner_author_works a "
        "JOIN works w USING (work_id) WHERE a.author_key = ? "
        "ORDER BY a.year DESC NULLS LAST, w.title LIMIT ?",
        [key, MAX_WORKS],
    ).fetchall()
    return AuthorProfile(
        key=head[0], name=head[1], openalex_id=head[2], orcid=head[3], rule=head[4],
        n_works=int(head[5]), first_year=head[6], last_year=head[7], main_country=head[8],
        countries=tuple(head[9]), regions=tuple(head[10]),
        institutions=tuple(InstitutionShare(k, n, c, int(w), i) for k, n, c, w, i in places),
        topics=tuple((labels.get(t, t), int(n)) for t, n in topic_rows),
        top_terms=tuple((t, round(float(w), 4)) for t, w in terms),
        works_by_year=tuple((int(y), int(n)) for y, n in years),
        coauthors=tuple(Coauthor(k, n, int(w), y, c) for k, n, w, y, c in coauthors),
        works=tuple(AuthoredWork(int(i), str(t), y) for i, t, y in works),
    )  # fmt: skip


def find_in_corpus(
    connection: duckdb.DuckDBPyConnection,
    query: PartnerQuery,
    *,
    settings: Settings,
    method: Method = "tfidf",
    weights: Weights | None = None,
    progress: Callable[[int, int], None] | None = None,
    compute_embeddings: bool = True,
) -> FinderResult:
    """Run the finder on the stored profiles of the corpus.

    :param connection: a corpus connection with built profiles.
    :param query: the query.
    :param settings: gives region sets, topic labels and the embeddings cache folder.
    :param method: ``tfidf`` or ``embeddings``.
    :param weights: score weights (defaults when None).
    :param progress: called while profile embeddings are first computed.
    :param compute_embeddings: compute the profile embeddings when they are not cached; False
        raises :class:`EmbeddingsNotReadyError` instead (the web: encoding every profile
        takes minutes of every core).
    """
    index = load_index(connection)
    embeddings = (
        embeddings_for(
            connection, index, settings=settings, progress=progress, compute=compute_embeddings
        )
        if method == "embeddings"
        else None
    )
    return find_partners(
        index,
        query,
        regions=region_countries(settings),
        topic_labels=topic_labels(settings),
        method=method,
        weights=weights,
        embeddings=embeddings,
    )


def embeddings_for(
    connection: duckdb.DuckDBPyConnection,
    index: PartnerIndex,
    *,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    compute: bool = True,
) -> ProfileEmbeddings:
    """The profile embeddings of the stored profiles (cached in the data directory).

    :param connection: a corpus connection.
    :param index: the loaded profiles.
    :param settings: gives the data directory.
    :param progress: called with (done, total) while encoding.
    :param compute: encode the profiles when not cached; False raises
        :class:`EmbeddingsNotReadyError` instead.
    """
    from permed_atlas.partners.embeddings import profile_embeddings

    return profile_embeddings(
        connection, index, cache_dir=settings.partners_dir, progress=progress, compute=compute
    )


def result_to_dict(result: FinderResult) -> dict[str, Any]:
    """A finder result as plain JSON-ready data.

    :param result: the result.
    """
    from dataclasses import asdict

    data = asdict(result)
    data["weights"] = result.weights.as_dict()
    return data
