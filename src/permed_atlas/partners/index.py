"""The finder's in-memory index, loaded from the profile tables.

Profiles become arrays: a sparse author x term matrix of L2-normalised TF-IDF
weights (scipy), per-author main country, years and topics (numpy), and the
co-author graph (networkx, built on first use). One index per profile build is
kept per process, so a web request costs a matrix product, not a reload.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import duckdb
import networkx as nx
import numpy as np
import scipy.sparse as sp

from permed_atlas.i18n import Message
from permed_atlas.partners.build import STAGE_PREFIX, most_common
from permed_atlas.partners.errors import ProfilesNotBuiltError, UnknownAuthorError
from permed_atlas.partners.models import AuthorCandidate
from permed_atlas.partners.names import fold, institution_key

__all__ = ["PartnerIndex", "load_index", "profiles_state"]

_CACHE: dict[str, PartnerIndex] = {}
_LOCK = threading.Lock()


@dataclass
class PartnerIndex:
    """Everything the finder needs, as arrays indexed by author row."""

    state: str
    keys: list[str]
    names: list[str]
    main_country: list[str | None]
    first_institution: list[str | None]
    n_works: np.ndarray
    topics: list[tuple[str, ...]]
    matrix: sp.csr_matrix
    terms: list[str]
    idf: np.ndarray
    year_rows: np.ndarray
    year_values: np.ndarray
    year_counts: np.ndarray
    edges: np.ndarray  # (n, 2) author rows, each link once
    institution_rows: dict[str, set[int]]
    institution_names: dict[str, str]
    last_year: int
    row_of: dict[str, int] = field(default_factory=dict)
    term_index: dict[str, int] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)
    _graph: nx.Graph | None = None

    def __post_init__(self) -> None:
        self.row_of = {key: row for row, key in enumerate(self.keys)}
        self.term_index = {term: col for col, term in enumerate(self.terms)}

    @property
    def graph(self) -> nx.Graph:
        """The co-author graph over author rows (built on first use)."""
        if self._graph is None:
            graph = nx.Graph()
            graph.add_nodes_from(range(len(self.keys)))
            graph.add_edges_from(map(tuple, self.edges.tolist()))
            self._graph = graph
        return self._graph

    def recent_counts(self, *, years: int) -> np.ndarray:
        """Works per author in the last ``years`` years of the corpus (its latest year counts).

        :param years: the window length.
        """
        mask = self.year_values > self.last_year - years
        return np.bincount(
            self.year_rows[mask], weights=self.year_counts[mask], minlength=len(self.keys)
        ).astype(np.int64)

    def resolve_author(self, value: str) -> int | None:
        """The row of an author by profile key, OpenAlex id, ORCID (or their URLs) or full name.

        :param value: what the user typed.
        """
        text = value.strip().rstrip("/").rpartition("/")[2]
        for candidate in (text, text.upper(), self.alias.get(text), self.alias.get(text.upper())):
            if candidate and candidate in self.row_of:
                return self.row_of[candidate]
        # A full name also works; of several people so named, the most prolific is meant.
        wanted = fold(value)
        named = [row for row, name in enumerate(self.names) if fold(name) == wanted]
        if named:
            return max(named, key=lambda row: (int(self.n_works[row]), -row))
        return None

    def author_candidates(self, value: str, *, limit: int = 25) -> list[int]:
        """Rows of authors whose folded name contains every word of ``value``, busiest first.

        :param value: a partial name ("wang", "mül", "li wei").
        :param limit: at most this many rows.
        """
        words = [w for w in fold(value).replace(",", " ").replace(".", " ").split() if len(w) >= 2]
        if not words:
            return []
        rows = [
            row for row, name in enumerate(self.names) if all(word in fold(name) for word in words)
        ]
        rows.sort(key=lambda row: (-int(self.n_works[row]), fold(self.names[row]), row))
        return rows[:limit]

    def author_row(self, value: str) -> int:
        """The row of the author ``value`` names; a partial name fitting one researcher is enough.

        :param value: a profile key, OpenAlex id, ORCID, full name or part of a name.
        :raises UnknownAuthorError: nobody fits, or several do (their candidates attached).
        """
        row = self.resolve_author(value)
        if row is not None:
            return row
        rows = self.author_candidates(value)
        if len(rows) == 1:
            return rows[0]
        candidates = tuple(
            AuthorCandidate(self.keys[r], self.names[r], int(self.n_works[r]), self.main_country[r])
            for r in rows
        )
        if not candidates:
            raise UnknownAuthorError(
                Message(
                    "no researcher matches %(name)s: give a profile id, "
                    "OpenAlex id, ORCID, or a name or part of it",
                    name=repr(value.strip()),
                )
            )
        shown = "; ".join(c.name for c in candidates[:5])
        more = f" and {len(candidates) - 5} more" if len(candidates) > 5 else ""
        raise UnknownAuthorError(
            Message(
                "%(name)s fits %(count)s researchers: choose one (%(shown)s%(more)s)",
                name=repr(value.strip()),
                count=len(candidates),
                shown=shown,
                more=more,
            ),
            candidates=candidates,
        )

    def resolve_institution(self, value: str) -> tuple[str, set[int]] | None:
        """The institution key and author rows for an institution id or (part of a) name.

        :param value: an OpenAlex institution id, an institution key, or a name.
        """
        text = value.strip()
        short = text.rstrip("/").rpartition("/")[2]
        for candidate in (text, short, institution_key(text) or ""):
            if candidate in self.institution_rows:
                return candidate, self.institution_rows[candidate]
        wanted = fold(text)
        if len(wanted) < 3:
            return None
        matches = [key for key, name in self.institution_names.items() if wanted in fold(name)]
        if not matches:
            return None
        # The institution with most authors is the likeliest meaning of a partial name.
        best = max(matches, key=lambda key: (len(self.institution_rows[key]), key))
        return best, self.institution_rows[best]


def profiles_state(connection: duckdb.DuckDBPyConnection, *, prefix: str = "") -> str | None:
    """The state key of the stored (or staged) profiles, or None when there are none.

    :param connection: a corpus connection.
    :param prefix: ``""`` for the published tables, the stage prefix for staged ones.
    """
    table = f"{prefix}partner_meta"
    found = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]
    ).fetchall()
    if not found[0][0]:
        return None
    rows = dict(connection.execute(f"SELECT key, value FROM {table}").fetchall())
    return f"{rows.get('state', '')}@{rows.get('built_at', '')}"


def load_index(connection: duckdb.DuckDBPyConnection, *, staged: bool = False) -> PartnerIndex:
    """The index of the stored profiles (cached per build), or of staged ones (not cached).

    :param connection: a corpus connection.
    :param staged: read the ``_pstage_*`` tables :func:`stage_profiles` left.
    """
    prefix = STAGE_PREFIX if staged else ""
    state = profiles_state(connection, prefix=prefix)
    if state is None:
        raise ProfilesNotBuiltError(
            Message("researcher profiles are not built yet: run `permed partners build`")
        )
    if staged:
        return _read_index(connection, prefix, state)
    with _LOCK:
        cached = _CACHE.get(state)
        if cached is None:
            cached = _read_index(connection, prefix, state)
            _CACHE.clear()  # one build at a time: a rebuild frees the old arrays
            _CACHE[state] = cached
        return cached


def _numpy(connection: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    return dict(connection.execute(sql).fetchnumpy())


def _read_index(connection: duckdb.DuckDBPyConnection, p: str, state: str) -> PartnerIndex:
    authors = _numpy(connection,
                     f"SELECT author_key, display_name, main_country, institutions[1] AS inst, "
                     f"n_works, topics, openalex_id, orcid FROM {p}partner_authors "
                     f"ORDER BY author_key")  # fmt: skip
    keys = [str(k) for k in authors["author_key"]]
    rows_sql = (f"(SELECT author_key, (row_number() OVER (ORDER BY author_key) - 1)::INTEGER "
                f"AS row FROM {p}partner_authors)")  # fmt: skip
    terms = _numpy(connection, f"SELECT term, idf FROM {p}partner_terms ORDER BY term")
    term_list = [str(t) for t in terms["term"]]
    cells = _numpy(connection,
                   f"SELECT r.row, c.col, t.weight FROM {p}partner_author_terms t "
                   f"JOIN {rows_sql} r USING (author_key) JOIN (SELECT term, "
                   f"(row_number() OVER (ORDER BY term) - 1)::INTEGER AS col "
                   f"FROM {p}partner_terms) c USING (term)")  # fmt: skip
    matrix = sp.csr_matrix(
        (cells["weight"].astype(np.float32), (cells["row"], cells["col"])),
        shape=(len(keys), len(term_list)),
    )
    years = _numpy(connection, f"SELECT r.row, y.year, y.n_works FROM {p}partner_author_years y "
                               f"JOIN {rows_sql} r USING (author_key)")  # fmt: skip
    edges = _numpy(
        connection,
        f"SELECT a.row AS a, b.row AS b FROM {p}partner_coauthors c "
        f"JOIN {rows_sql} a ON a.author_key = c.author_key "
        f"JOIN {rows_sql} b ON b.author_key = c.coauthor_key WHERE a.row < b.row",
    )
    places = connection.execute(
        f"SELECT i.institution_key, {most_common('i.institution_name')}, list(r.row) "
        f"FROM {p}partner_author_institutions i JOIN {rows_sql} r USING (author_key) GROUP BY 1"
    ).fetchall()
    alias: dict[str, str] = {}
    for key, openalex_id, orcid in zip(keys, authors["openalex_id"], authors["orcid"], strict=True):
        for other in (openalex_id, orcid):
            if isinstance(other, str) and other and other != key:
                alias.setdefault(other, key)
    year_values = years["year"].astype(np.int64)
    return PartnerIndex(
        state=state,
        keys=keys,
        names=[str(n) for n in authors["display_name"]],
        main_country=[c if isinstance(c, str) else None for c in authors["main_country"]],
        first_institution=[i if isinstance(i, str) else None for i in authors["inst"]],
        n_works=authors["n_works"].astype(np.int64),
        topics=[tuple(t) if t is not None else () for t in authors["topics"]],
        matrix=matrix,
        terms=term_list,
        idf=terms["idf"].astype(np.float64),
        year_rows=years["row"].astype(np.int64),
        year_values=year_values,
        year_counts=years["n_works"].astype(np.int64),
        edges=np.column_stack([edges["a"], edges["b"]]).astype(np.int64)
        if len(edges["a"])
        else np.zeros((0, 2), np.int64),
        institution_rows={str(k): {int(r) for r in rows} for k, _, rows in places},
        institution_names={str(k): str(n) for k, n, _ in places},
        last_year=int(year_values.max()) if len(year_values) else 0,
        alias=alias,
    )
