"""Pydantic I/O of the partners JSON API, mirroring the core records of models.py.

``extra="forbid"`` makes a field added to a record without its field here fail the
response instead of vanishing from it silently.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from permed_atlas.partners.models import Method, QueryKind


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartnersStatusPublic(_Answer):
    built: bool = Field(description="whether researcher profiles have been built")
    meta: dict[str, str] = Field(description="the build's metadata (state, date, counts)")


class InstitutionSharePublic(_Answer):
    key: str
    name: str
    country_code: str | None
    n_works: int
    id: str | None


class CoauthorPublic(_Answer):
    key: str
    name: str
    n_works: int
    first_year: int | None
    main_country: str | None


class AuthorWorkPublic(_Answer):
    """One work of a researcher, linking to the landscape's work page."""

    work_id: int
    title: str | None
    year: int | None


class AuthorProfilePublic(_Answer):
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
    countries: list[str]
    regions: list[str]
    institutions: list[InstitutionSharePublic]
    topics: list[tuple[str, int]] = Field(description="[topic, works] pairs")
    top_terms: list[tuple[str, float]] = Field(description="[term, weight] pairs")
    works_by_year: list[tuple[int, int]] = Field(description="[year, works] pairs")
    coauthors: list[CoauthorPublic]
    works: list[AuthorWorkPublic] = Field(
        default_factory=list, description="the person's works, newest first (at most 500)"
    )


class PartnerQueryPublic(_Answer):
    kind: QueryKind
    value: str
    from_region: str
    to_region: str
    limit: int
    recent_years: int
    include_coauthors: bool


class WeightsPublic(_Answer):
    similarity: float
    activity: float
    network: float
    coauthor_penalty: float


class ReasonPublic(_Answer):
    kind: str = Field(description="terms, topics, activity, network or place")
    text: str


class PartnerMatchPublic(_Answer):
    rank: int
    key: str
    name: str
    score: float
    similarity: float
    activity: float
    network: float
    recent_works: int
    distance: int | None
    path: list[str]
    shared_terms: list[str]
    shared_topics: list[str]
    institution: str | None
    country_code: str | None
    reasons: list[ReasonPublic]


class FinderResultPublic(_Answer):
    """The ranked matches of one query, with what was searched and how."""

    query: PartnerQueryPublic
    description: str
    method: Method
    searched_region: str
    weights: WeightsPublic
    candidates: int
    matches: list[PartnerMatchPublic]
    note: str | None
