"""The partners capability's core records: profiles, queries, matches and their reasons."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

QueryKind = Literal["author", "institution", "topic", "text"]
Method = Literal["tfidf", "embeddings"]
METHODS: tuple[Method, ...] = ("tfidf", "embeddings")
QUERY_KINDS: tuple[QueryKind, ...] = ("author", "institution", "topic", "text")


@dataclass(frozen=True, slots=True)
class InstitutionShare:
    """An institution of a researcher and on how many of their works it appears."""

    key: str
    name: str
    country_code: str | None
    n_works: int
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Coauthor:
    """A co-author of a researcher."""

    key: str
    name: str
    n_works: int
    first_year: int | None
    main_country: str | None


@dataclass(frozen=True, slots=True)
class AuthoredWork:
    """One work of a researcher, as the profile lists it (linked to the landscape work page)."""

    work_id: int
    title: str
    year: int | None


@dataclass(frozen=True, slots=True)
class AuthorCandidate:
    """A researcher whose name contains every word of a partial name."""

    key: str
    name: str
    n_works: int
    main_country: str | None


@dataclass(frozen=True, slots=True)
class AuthorProfile:
    """One researcher as the corpus shows them."""

    key: str
    name: str
    openalex_id: str | None
    orcid: str | None
    rule: str
    n_works: int
    first_year: int | None
    last_year: int | None
    main_country: str | None
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    institutions: tuple[InstitutionShare, ...]
    topics: tuple[tuple[str, int], ...]
    top_terms: tuple[tuple[str, float], ...]
    works_by_year: tuple[tuple[int, int], ...]
    coauthors: tuple[Coauthor, ...] = ()
    works: tuple[AuthoredWork, ...] = ()


@dataclass(frozen=True, slots=True)
class Weights:
    """How the finder combines its three signals (each in 0..1) into one score."""

    similarity: float = 0.6
    activity: float = 0.25
    network: float = 0.15
    coauthor_penalty: float = 0.5  # subtracted when existing co-authors are included

    def as_dict(self) -> dict[str, float]:
        """The weights by name (in field order), as shown next to the results."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PartnerQuery:
    """What to find partners for.

    :param kind: author, institution, topic or text.
    :param value: the author id, institution id or name, topic code, or the text.
    :param from_region: the searcher's region (for text and topic queries).
    :param to_region: the region to search in; author and institution queries swap the two
        when the query itself is in ``to_region``.
    :param limit: how many matches (1..200).
    :param recent_years: how many recent years count as "recent activity".
    :param include_coauthors: keep existing co-authors (with a penalty) instead of dropping them.
    """

    kind: QueryKind
    value: str
    from_region: str = "EU27"
    to_region: str = "CN"
    limit: int = 20
    recent_years: int = 5
    include_coauthors: bool = False


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason a match was ranked where it is, for people to read."""

    kind: str  # terms | topics | activity | network | place
    text: str


@dataclass(frozen=True, slots=True)
class PartnerMatch:
    """One ranked candidate partner with the parts of its score and the reasons."""

    rank: int
    key: str
    name: str
    score: float
    similarity: float
    activity: float
    network: float
    recent_works: int
    distance: int | None
    path: tuple[str, ...]
    shared_terms: tuple[str, ...]
    shared_topics: tuple[str, ...]
    institution: str | None
    country_code: str | None
    reasons: tuple[Reason, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class FinderResult:
    """The ranked matches of one query, with what was searched and how."""

    query: PartnerQuery
    description: str
    method: Method
    searched_region: str
    weights: Weights
    candidates: int
    matches: tuple[PartnerMatch, ...]
    note: str | None = None
