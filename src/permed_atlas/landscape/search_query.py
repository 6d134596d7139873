"""The search's core records: what a user asks for and what comes back. Pure, no I/O.

A :class:`SearchQuery` validates itself, so that hostile input (huge pages,
odd years, overlong text) fails with the field named before any SQL runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal, TypeAlias

from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message
from permed_atlas.i18n import gettext_noop as N_

SortKey: TypeAlias = Literal["relevance", "year", "year_asc", "citations"]
SORT_KEYS: tuple[str, ...] = ("relevance", "year", "year_asc", "citations")
KINDS: tuple[str, ...] = ("publication", "patent")
FACET_DIMENSIONS: tuple[str, ...] = ("region", "country", "institution", "topic")
"""Facets whose values come from the tag tables (many values per work)."""

MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000
"""Deep paging costs a sort of the whole result; beyond this, narrow the query instead."""
MAX_TEXT_LENGTH = 500
MAX_TERMS = 20
MAX_FACET_VALUES = 50
MAX_VALUE_LENGTH = 300
MIN_YEAR, MAX_YEAR = 1800, 2100
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A full-text query with facets; every facet narrows (AND), values within one facet widen (OR).

    :param text: words to find in titles and abstracts (all must occur).
    :param regions: region codes, e.g. ("EU27",).
    :param countries: ISO 3166-1 alpha-2 codes.
    :param institutions: institution names as the corpus spells them.
    :param topics: topic codes from the topic rules.
    :param year_from: first year, inclusive.
    :param year_to: last year, inclusive.
    :param kind: "publication" or "patent".
    :param eu_cn: only EU–China collaborations (True) or only others (False).
    :param pm_relevant: only PM-relevant works (True) or only others (False).
    :param sort: relevance, year (newest first), year_asc or citations.
    :param page: 1-based page number.
    :param page_size: hits per page, at most :data:`MAX_PAGE_SIZE`.
    """

    text: str = ""
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    kind: str | None = None
    eu_cn: bool | None = None
    pm_relevant: bool | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20

    def facet_values(self, dimension: str) -> tuple[str, ...]:
        """The selected values of one tag facet ("region", "country", ...)."""
        return {
            "region": self.regions,
            "country": self.countries,
            "institution": self.institutions,
            "topic": self.topics,
        }[dimension]

    def has_filters(self) -> bool:
        """Whether anything narrows the corpus (text or a facet)."""
        return bool(
            self.text.strip()
            or any(self.facet_values(d) for d in FACET_DIMENSIONS)
            or self.year_from is not None
            or self.year_to is not None
            or self.kind is not None
            or self.eu_cn is not None
            or self.pm_relevant is not None
        )

    def with_page(self, page: int) -> SearchQuery:
        """The same query on another page."""
        return replace(self, page=page)

    def validated(self) -> SearchQuery:
        """This query, normalised (trimmed, country codes upper case), or InvalidInputError."""
        if len(self.text) > MAX_TEXT_LENGTH:
            raise _invalid("q", N_("the search text is %(length)s characters long; at most "
                                   "%(max_text_length)s are allowed"),
                           length=len(self.text), max_text_length=MAX_TEXT_LENGTH)  # fmt: skip
        if "\x00" in self.text:
            raise _invalid("q", N_("the search text contains a NUL character"))
        if self.sort not in SORT_KEYS:
            raise _invalid("sort", N_("sort must be one of %(options)s, not %(sort)s"),
                           options=", ".join(SORT_KEYS), sort=repr(self.sort))  # fmt: skip
        if self.kind is not None and self.kind not in KINDS:
            raise _invalid("kind", N_("kind must be publication or patent, not %(kind)s"),
                           kind=repr(self.kind))  # fmt: skip
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise _invalid("page_size", N_("page_size must be between 1 and %(max_page_size)s, "
                                           "not %(page_size)s"),
                           max_page_size=MAX_PAGE_SIZE, page_size=self.page_size)  # fmt: skip
        if self.page < 1:
            raise _invalid("page", N_("page must be 1 or more, not %(page)s"), page=self.page)
        if self.page * self.page_size > MAX_RESULT_WINDOW:
            raise _invalid("page", N_("results beyond the first %(max_result_window)s cannot be "
                                      "paged to; narrow the query with facets or download the "
                                      "export"), max_result_window=MAX_RESULT_WINDOW)  # fmt: skip
        for name, year in (("year_from", self.year_from), ("year_to", self.year_to)):
            if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
                raise _invalid(name, N_("%(name)s must be between %(min_year)s and "
                                        "%(max_year)s, not %(year)s"), name=name,
                               min_year=MIN_YEAR, max_year=MAX_YEAR, year=year)  # fmt: skip
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise _invalid("year_from", N_("year_from (%(year_from)s) is after year_to "
                                           "(%(year_to)s)"),
                           year_from=self.year_from, year_to=self.year_to)  # fmt: skip
        cleaned = {dimension: self._cleaned(dimension) for dimension in FACET_DIMENSIONS}
        return replace(
            self,
            text=self.text.strip(),
            regions=cleaned["region"],
            countries=cleaned["country"],
            institutions=cleaned["institution"],
            topics=cleaned["topic"],
        )

    def _cleaned(self, dimension: str) -> tuple[str, ...]:
        values = tuple(dict.fromkeys(v.strip() for v in self.facet_values(dimension)))
        if len(values) > MAX_FACET_VALUES:
            raise _invalid(dimension, N_("at most %(max_facet_values)s %(dimension)s values may "
                                         "be selected"),
                           max_facet_values=MAX_FACET_VALUES, dimension=dimension)  # fmt: skip
        for value in values:
            if not value or len(value) > MAX_VALUE_LENGTH or "\x00" in value:
                raise _invalid(dimension, N_("a %(dimension)s value must have 1 to "
                                             "%(max_value_length)s characters"),
                               dimension=dimension, max_value_length=MAX_VALUE_LENGTH)  # fmt: skip
        if dimension != "country":
            return values
        values = tuple(v.upper() for v in values)
        for value in values:
            if not _COUNTRY.match(value):
                raise _invalid("country", N_("%(value)s is not an ISO 3166-1 alpha-2 country code "
                                             "(like DE, CN)"), value=repr(value))  # fmt: skip
        return values


def _invalid(field: str, message: str, /, **values: object) -> InvalidInputError:
    # ``message`` is marked with N_ where it is written; a page shows it translated
    return InvalidInputError(Message(message, **values), field=field)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One work in a result page."""

    work_id: int
    kind: str
    title: str | None
    year: int | None
    venue: str | None
    cited_by_count: int | None
    doi: str | None
    score: float


@dataclass(frozen=True, slots=True)
class FacetCount:
    """How many works in the result have one facet value."""

    value: str
    count: int
    selected: bool = False


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of hits, the total, and the facet counts of the whole result."""

    query: SearchQuery
    total: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, tuple[FacetCount, ...]] = field(default_factory=dict)
    terms: tuple[str, ...] = ()

    @property
    def pages(self) -> int:
        """How many pages the result has (within the paging window)."""
        reachable = min(self.total, MAX_RESULT_WINDOW)
        return max(1, -(-reachable // self.query.page_size))
